/**
 * `npm run demo`: one real photo through the whole pipeline on the embedded local stack.
 * upload -> S3 event -> `sls invoke local -f normalizeAvatar` -> avatars/ -> email job on SQS
 * -> `sls invoke local -f sendEmail` -> SES v2 -> mail in the SES store -> avatar URL via the edge.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseManifest } from '../shared/avatar/manifest';
import { manifestKey, publicIdFor } from '../shared/keys';
import { escapeHtml } from '../shared/mail/html-escape';
import { avatarPlaceholder } from '../shared/mail/placeholders';
import { publishDefaultAvatar } from '../shared/mail/default-avatar';
import { mintUploadUrls, type PresignedTokens, substitutePresignedTokens } from './demo-presigned';
import { runProcess } from './run-process';
import { invokeLocal, PROJECT_ROOT } from './sls-invoke';
import { toSqsEvent } from './sqs-event';
import { type LocalStack, startLocalStack } from './stack';

const LOCAL_PUBLIC_ID_SECRET = 'local-development-only-not-a-secret';
const DEFAULT_PHOTO = join(PROJECT_ROOT, 'test/fixtures/real_gps_nokia_lumia.jpg');
const OUT_DIR = join(PROJECT_ROOT, 'out/demo');

class StepError extends Error {
  constructor(readonly step: string, message: string, readonly code?: string) {
    super(message);
  }
}

interface Options {
  photo: string;
  userId: string;
  jobFile: string | undefined;
  json: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      photo: { type: 'string' },
      user: { type: 'string' },
      job: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'Usage: npm run demo -- [--photo PATH] [--user ID] [--job FILE] [--json]\n' +
        '  --photo PATH  image to upload (default: test/fixtures/real_gps_nokia_lumia.jpg)\n' +
        '  --user ID     user id the upload belongs to (default: demo-user)\n' +
        '  --job FILE    email job JSON to send instead of the built-in one (from/to/id default when absent)\n' +
        '  --json        print the summary as one JSON object\n',
    );
    process.exit(0);
  }
  return {
    photo: resolve(values.photo ?? DEFAULT_PHOTO),
    userId: values.user ?? 'demo-user',
    jobFile: values.job === undefined ? undefined : resolve(values.job),
    json: values.json ?? false,
  };
}

async function step<T>(name: string, timings: Record<string, number>, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } catch (error) {
    if (error instanceof StepError) throw error;
    throw new StepError(name, error instanceof Error ? error.message : String(error));
  } finally {
    timings[name] = Math.round(performance.now() - started);
  }
}

function builtInJob(userId: string): Record<string, unknown> {
  return {
    html: [
      '<!doctype html><html><body style="font-family:Arial,sans-serif;background:#f4f4f4;padding:24px">',
      '<table role="presentation" style="background:#fff;padding:16px;border-radius:8px"><tr>',
      `<td><img src="${avatarPlaceholder(userId)}" width="48" height="48" alt="" style="border-radius:24px;display:block"></td>`,
      `<td style="padding-left:12px"><b>${escapeHtml(userId)}</b> commented on your post<br>`,
      '<span style="color:#666">This avatar URL never expires.</span></td>',
      '</tr></table></body></html>',
    ].join(''),
    text: `${userId} commented on your post. Avatar: ${avatarPlaceholder(userId)}`,
  };
}

async function loadJob(options: Options, presigned: PresignedTokens): Promise<Record<string, unknown>> {
  const job = options.jobFile === undefined ? builtInJob(options.userId) : substitutePresignedTokens(JSON.parse(await readFile(options.jobFile, 'utf8')) as Record<string, unknown>, presigned);
  return {
    id: `demo-${Date.now()}`,
    from: 'Evergreen Demo <demo@example.com>',
    to: ['reader@example.com'],
    subject: 'You have a new comment',
    ...job,
  };
}

interface StoredEmail {
  messageId: string;
  subject: string;
  body: { html?: string; text?: string };
}

function chromiumPath(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // try the next name
    }
  }
  return undefined;
}

/** Async on purpose: the edge that serves the mail's images runs in this very process. */
async function screenshot(chromium: string, htmlPath: string, pngPath: string): Promise<void> {
  const profile = await mkdtemp(join(tmpdir(), 'evergreen-chromium-'));
  try {
    const args = [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars',
      `--user-data-dir=${profile}`, '--window-size=720,360', `--screenshot=${pngPath}`, `file://${htmlPath}`,
    ];
    const run = await runProcess(chromium, args, { timeoutMs: 60_000, label: 'chromium --screenshot' });
    if (run.code !== 0) throw new Error(`chromium exited ${run.code ?? run.signal}: ${run.stderr.slice(-400)}`);
    const { size } = await stat(pngPath).catch(() => ({ size: 0 }));
    if (size === 0) throw new Error(`chromium wrote no screenshot to ${pngPath}: ${run.stderr.slice(-400)}`);
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

async function runDemo(options: Options, stack: LocalStack, timings: Record<string, number>) {
  const env = stack.env;
  const clientConfig = { region: stack.region, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' } };
  const s3 = new S3Client({ ...clientConfig, endpoint: stack.endpoints.s3, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const sqs = new SQSClient({ ...clientConfig, endpoint: stack.endpoints.sqs });
  const params = { avatarBaseUrl: stack.endpoints.edge, avatarBucket: stack.bucket, dlqUrl: stack.dlqUrl };
  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });

  // 1. Upload, exactly as an app would.
  const uploadKey = `uploads/${options.userId}/${basename(options.photo)}`;
  const photo = await step('read photo', timings, () => readFile(options.photo));
  const s3Event = await step('upload', timings, async () => {
    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: uploadKey, Body: photo }));
    return stack.waitForS3Event((r) => r.eventName.startsWith('ObjectCreated') && r.s3.object.size === photo.length);
  });

  // 2. The S3 trigger, through the real CLI.
  const normalize = await step('normalizeAvatar', timings, async () => {
    const run = await invokeLocal({ functionName: 'normalizeAvatar', event: s3Event, eventPath: join(OUT_DIR, 's3-event.json'), env, params });
    if (run.exitCode !== 0) throw new Error(`sls invoke local exited ${run.exitCode}\n${run.stdout.slice(-2000)}${run.stderr.slice(-2000)}`);
    const outcome = (run.result as { outcomes?: Array<{ status: string; code?: string; message?: string }> }).outcomes?.[0];
    if (outcome?.status !== 'published' && outcome?.status !== 'unchanged') {
      const reason = outcome?.code === undefined ? JSON.stringify(outcome) : `${outcome.code}: ${outcome.message ?? ''}`;
      throw new StepError('normalizeAvatar', `the upload was not published: ${reason}`, outcome?.code);
    }
    return run;
  });

  const publicId = publicIdFor(options.userId, { mode: 'hmac', secret: LOCAL_PUBLIC_ID_SECRET });
  const manifest = await step('read manifest', timings, async () => {
    const response = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: manifestKey(publicId) }));
    return parseManifest(await response.Body!.transformToString());
  });
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: `avatars/${publicId}/` }));
  const keysWritten = [...(listed.Contents ?? []).map((o) => o.Key ?? ''), manifestKey(publicId)];

  // 3. Queue an email job, then deliver it to the send function as Lambda's SQS poller would.
  await publishDefaultAvatar(s3, stack.bucket);
  const job = await loadJob(options, await mintUploadUrls(stack, uploadKey));
  const send = await step('sendEmail', timings, async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: JSON.stringify(job) }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }));
    const messages = received.Messages ?? [];
    if (messages.length === 0) throw new Error('the job did not arrive on the queue');
    const event = toSqsEvent(messages, stack.queueArn, stack.region);
    const run = await invokeLocal({ functionName: 'sendEmail', event, eventPath: join(OUT_DIR, 'sqs-event.json'), env, params });
    if (run.exitCode !== 0) throw new Error(`sls invoke local exited ${run.exitCode}\n${run.stdout.slice(-2000)}`);
    const result = run.result as { batchItemFailures?: unknown[]; sent?: Array<{ sesMessageId: string }> };
    if ((result.batchItemFailures ?? []).length > 0) {
      const failure = run.logs.find((l) => l.message === 'email not sent');
      throw new Error(`the send function reported a failure: ${JSON.stringify(failure ?? result)}`);
    }
    // Lambda deletes the messages of a successful batch; do the same.
    for (const message of messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: stack.queueUrl, ReceiptHandle: message.ReceiptHandle }));
    return { run, sesMessageId: result.sent?.[0]?.sesMessageId ?? '' };
  });

  // 4. Read the mail back from the SES store and check its avatar URL like a mail client would.
  const mail = await step('read mail', timings, async () => {
    const store = (await (await fetch(`${stack.endpoints.ses}/store`)).json()) as { emails: StoredEmail[] };
    const email = store.emails.find((e) => e.messageId === send.sesMessageId);
    if (email === undefined) throw new Error(`message ${send.sesMessageId} is not in the SES store`);
    // aws-ses-v2-local answers with JSON wrapping the .eml bytes as a serialized Buffer.
    const emlResponse = (await (await fetch(`${stack.endpoints.ses}/get-emlContent?messageId=${encodeURIComponent(email.messageId)}`)).json()) as { body?: { data?: number[] } };
    const eml = Buffer.from(emlResponse.body?.data ?? []);
    if (eml.length === 0) throw new Error(`the SES store has no .eml for ${email.messageId}`);
    const html = email.body.html ?? '';
    const emailPath = join(OUT_DIR, 'email.html');
    const emlPath = join(OUT_DIR, 'email.eml');
    await writeFile(emailPath, html);
    await writeFile(emlPath, eml);
    if (/X-Amz-|AWSAccessKeyId=/i.test(html) || /X-Amz-|AWSAccessKeyId=/i.test(email.body.text ?? '')) throw new Error('the mail still contains a pre-signed URL');
    return { email, html, emailPath, emlPath };
  });

  const avatar = await step('fetch avatar', timings, async () => {
    const urls = [...mail.html.matchAll(/src="([^"]+)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
    const permanentUrl = urls.find((u) => u.startsWith(stack.endpoints.edge));
    if (permanentUrl === undefined) throw new Error(`no avatar URL on ${stack.endpoints.edge} in the mail: ${urls.join(', ')}`);
    const response = await fetch(permanentUrl);
    const body = Buffer.from(await response.arrayBuffer());
    const contentType = response.headers.get('content-type') ?? '';
    if (response.status !== 200 || contentType !== 'image/jpeg') throw new Error(`GET ${permanentUrl} -> ${response.status} ${contentType}`);
    const key = decodeURIComponent(new URL(permanentUrl).pathname.slice(1));
    const variant = manifest.current?.variants.find((v) => v.key === key);
    if (variant === undefined) throw new Error(`the mail's URL ${key} is not a variant in the manifest`);
    const stored = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
    if (!Buffer.from(await stored.Body!.transformToByteArray()).equals(body)) throw new Error('the edge served other bytes than the stored variant');
    const forbidden = await fetch(`${stack.endpoints.edge}${uploadKey.split('/').map(encodeURIComponent).join('/')}`);
    if (forbidden.status !== 403) throw new Error(`the original upload is readable through the edge (${forbidden.status})`);
    return { permanentUrl, bytes: body.length, size: variant.size, cacheControl: response.headers.get('cache-control') ?? '' };
  });

  let screenshotNote: string;
  const chromium = chromiumPath();
  if (chromium === undefined) {
    screenshotNote = 'no chromium on PATH: `sudo apt-get install chromium` to also get out/demo/email.png';
  } else {
    const pngPath = join(OUT_DIR, 'email.png');
    screenshotNote = await step('screenshot', timings, async () => {
      await screenshot(chromium, mail.emailPath, pngPath);
      return relative(PROJECT_ROOT, pngPath);
    });
  }

  s3.destroy();
  sqs.destroy();
  return {
    ok: true,
    bucket: stack.bucket,
    userId: options.userId,
    publicId,
    photo: relative(PROJECT_ROOT, options.photo) || options.photo,
    uploadKey,
    source: manifest.current?.source,
    keys: keysWritten,
    variants: manifest.current?.variants.map((v) => ({ size: v.size, format: v.format, bytes: v.bytes, key: v.key })) ?? [],
    permanentUrl: avatar.permanentUrl,
    avatarBytes: avatar.bytes,
    avatarSize: avatar.size,
    cacheControl: avatar.cacheControl,
    messageId: send.sesMessageId,
    emailPath: relative(PROJECT_ROOT, mail.emailPath),
    emlPath: relative(PROJECT_ROOT, mail.emlPath),
    screenshot: screenshotNote,
    timingsMs: timings,
    // The exact invocations, with the ports of this run's (now stopped) stack.
    commands: [normalize.command, send.run.command].map((c) => c.replace(`${PROJECT_ROOT}/`, '')),
  };
}

type Summary = Awaited<ReturnType<typeof runDemo>>;

function printSummary(summary: Summary): void {
  const lines = [
    'evergreen-avatars demo: OK',
    `  photo          ${summary.photo} (${summary.source?.format} ${summary.source?.width}x${summary.source?.height})`,
    `  user           ${summary.userId} -> public id ${summary.publicId}`,
    `  bucket         ${summary.bucket}`,
    '  keys written',
    ...summary.variants.map((v) => `    ${v.key}  ${v.size}px ${v.format} ${v.bytes} B`),
    `    ${summary.keys.at(-1)}`,
    `  permanent URL  ${summary.permanentUrl}`,
    `                 -> 200 image/jpeg, ${summary.avatarBytes} B (${summary.avatarSize}px variant), ${summary.cacheControl}`,
    `  SES message id ${summary.messageId}`,
    `  mail saved     ${summary.emailPath}, ${summary.emlPath}`,
    `  screenshot     ${summary.screenshot}`,
    `  timings (ms)   ${Object.entries(summary.timingsMs).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  events         ${relative(PROJECT_ROOT, join(OUT_DIR, 's3-event.json'))}, ${relative(PROJECT_ROOT, join(OUT_DIR, 'sqs-event.json'))} (what the functions received)`,
    '  to run the functions yourself, keep a stack up with `npm run stack` (README: "Running the functions yourself")',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const timings: Record<string, number> = {};
  const stack = await step('start stack', timings, () => startLocalStack());
  try {
    const summary = await runDemo(options, stack, timings);
    if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else printSummary(summary);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  const stepName = error instanceof StepError ? error.step : 'demo';
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof StepError ? error.code : undefined;
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ ok: false, step: stepName, ...(code === undefined ? {} : { code }), error: message })}\n`);
  process.stderr.write(`evergreen-avatars demo FAILED at step "${stepName}": ${message}\n`);
  process.exit(1);
});
