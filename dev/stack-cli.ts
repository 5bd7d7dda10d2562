/**
 * `npm run stack`: the local AWS stack on fixed ports, for `sls invoke local -s local` by hand.
 * Every S3 notification is saved as an event file ready for `-p`; with --trigger the stack also
 * plays Lambda: it runs normalizeAvatar on uploads and polls the queue into sendEmail, in-process.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { publishDefaultAvatar } from '../shared/mail/default-avatar';
import { PROJECT_ROOT } from './sls-invoke';
import { toSqsEvent } from './sqs-event';
import { FIXED_PORTS, type LocalStack, startLocalStack } from './stack';

const STATE_DIR = join(PROJECT_ROOT, '.stack');

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

const fakeContext = (name: string): Context =>
  ({ awsRequestId: `local-${Date.now().toString(36)}`, functionName: name, getRemainingTimeInMillis: () => 60_000 }) as unknown as Context;

async function runTriggers(stack: LocalStack, stopped: () => boolean): Promise<void> {
  // The handlers read their config at import (cold start), exactly as in Lambda.
  Object.assign(process.env, stack.env, {
    PUBLIC_ID_SECRET: 'local-development-only-not-a-secret',
    DLQ_URL: stack.dlqUrl,
    AVATAR_BUCKET: stack.bucket,
    AVATAR_BASE_URL: stack.endpoints.edge,
  });
  const normalize = (await import('../functions/normalize-avatar/handler')).handler as unknown as Handler<S3Event, unknown>;
  const send = (await import('../functions/send-email/handler')).handler as unknown as Handler<SQSEvent, SQSBatchResponse>;

  let seen = 0;
  const sqs = new SQSClient({});
  while (!stopped()) {
    for (; seen < stack.s3Events.length; seen += 1) {
      const record = stack.s3Events[seen];
      if (record === undefined || !record.s3.object.key.startsWith('uploads/')) continue;
      await normalize({ Records: [record] }, fakeContext('normalizeAvatar')).catch((error: unknown) => {
        process.stderr.write(`normalizeAvatar failed: ${String(error)}\n`);
      });
    }
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }));
    const messages = received.Messages ?? [];
    if (messages.length === 0) continue;
    const response = await send(toSqsEvent(messages, stack.queueArn, stack.region), fakeContext('sendEmail'));
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    if (done.length > 0) {
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: stack.queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    }
  }
  sqs.destroy();
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { trigger: { type: 'boolean', default: false }, ephemeral: { type: 'boolean', default: false } } });
  await mkdir(join(STATE_DIR, 'events'), { recursive: true });
  const stack = await startLocalStack({
    ports: values.ephemeral ? {} : FIXED_PORTS,
    s3Directory: join(STATE_DIR, 's3'),
  });
  // Users without an avatar get the shipped default: publish it as a deploy would.
  const s3 = new S3Client({ region: stack.region, endpoint: stack.endpoints.s3, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED' });
  await publishDefaultAvatar(s3, stack.bucket);
  s3.destroy();
  const envFile = join(STATE_DIR, 'env');
  await writeFile(envFile, `${Object.entries(stack.env).map(([k, v]) => `export ${k}=${v}`).join('\n')}\n`);

  stack.s3Events.push = new Proxy(stack.s3Events.push, {
    apply(target, thisArg: typeof stack.s3Events, records: typeof stack.s3Events) {
      // Mirror the deployed notification filter: only uploads/ reach the trigger.
      for (const record of records.filter((r) => r.s3.object.key.startsWith('uploads/'))) {
        const file = join(STATE_DIR, 'events', `${record.s3.object.sequencer}.json`);
        void writeFile(file, `${JSON.stringify({ Records: [record] }, null, 2)}\n`).then(() =>
          process.stdout.write(
            `S3 ${record.eventName} ${record.s3.object.key}\n  -> ${values.trigger ? 'normalizeAvatar runs now; event saved as' : 'npx sls invoke local -s local -f normalizeAvatar -p'} ${file.replace(`${PROJECT_ROOT}/`, '')}\n`,
          ),
        );
      }
      return Reflect.apply(target, thisArg, records);
    },
  });

  process.stdout.write(
    [
      'evergreen-avatars local stack is up (Ctrl-C to stop)',
      `  S3     ${stack.endpoints.s3}  bucket ${stack.bucket} (files in .stack/s3)`,
      `  SQS    ${stack.endpoints.sqs}  queue ${stack.queueUrl}`,
      `  SES v2 ${stack.endpoints.ses}  sent mail: ${stack.endpoints.ses}/store (viewer: ${stack.endpoints.ses}/)`,
      `  edge   ${stack.endpoints.edge}  (anonymous GET of avatars/* only)`,
      '',
      `In another shell:  source ${envFile.replace(`${PROJECT_ROOT}/`, '')}`,
      `  curl -T photo.jpg ${stack.endpoints.s3}/${stack.bucket}/uploads/USER/photo.jpg`,
      '  npx sls invoke local -s local -f normalizeAvatar -p .stack/events/<sequencer>.json',
      values.trigger ? '--trigger: uploads and queued jobs run through the functions automatically.' : 'Add --trigger to run the functions automatically on uploads and queued jobs.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  if (values.trigger) await runTriggers(stack, () => stopping);
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run stack failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
