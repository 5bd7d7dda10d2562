/**
 * The fault matrix: jobs through the real local queue, the send core, the fault proxy and the
 * local SES. Each failure class must end where it belongs: sent once, retried then sent once,
 * or in the DLQ with its reason; never a duplicate, never dropped.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fault, type FaultProxy, startFaultProxy } from '../../dev/fault-proxy';
import { PROJECT_ROOT } from '../../dev/sls-invoke';
import { createMemoryLogger } from '../../shared/log';
import { enqueueEmail } from '../../shared/mail/enqueue';
import { processSqsEvent, type RecordOutcome } from '../../shared/mail/process-sqs-event';
import { sesStore, useLocalStack } from '../helpers/local-stack';
import { publishAvatarFor, readDeadLetters, sendFixture, sesClientFor } from '../helpers/send-fixture';
import { drainQueue } from '../helpers/sqs-poller';
import { permanentUrl } from '../../shared/urls/public-url';

type Expected = 'sent' | 'dead-lettered';
interface Case {
  name: string;
  /** The fault for SES attempt n (1-based); undefined = pass. */
  fault: (attempt: number) => Fault | undefined;
  expected: Expected;
  /** SES requests the case must take. */
  sesAttempts: number;
  /** aws-ses-v2-local names no error type for an unknown template (real SES says NotFoundException): 404 it is. */
  deadLetterCode?: string | RegExp;
  job?: Record<string, unknown>;
}

const once = (fault: Fault) => (attempt: number) => (attempt === 1 ? fault : undefined);
const CASES: Case[] = [
  { name: 'clean', fault: () => undefined, expected: 'sent', sesAttempts: 1 },
  { name: 'latency-200ms', fault: () => ({ kind: 'latency', ms: 200 }), expected: 'sent', sesAttempts: 1 },
  { name: 'throttled-once', fault: once({ kind: 'throttle' }), expected: 'sent', sesAttempts: 2 },
  { name: 'throttled-twice', fault: (n) => (n <= 2 ? { kind: 'throttle' } : undefined), expected: 'sent', sesAttempts: 3 },
  { name: 'sending-paused-once', fault: once({ kind: 'error', status: 400, errorType: 'SendingPausedException' }), expected: 'sent', sesAttempts: 2 },
  { name: 'http-500-once', fault: once({ kind: 'status', status: 500 }), expected: 'sent', sesAttempts: 2 },
  { name: 'http-503-once', fault: once({ kind: 'error', status: 503, errorType: 'ServiceUnavailable' }), expected: 'sent', sesAttempts: 2 },
  { name: 'connection-reset-once', fault: once({ kind: 'reset' }), expected: 'sent', sesAttempts: 2 },
  { name: 'timeout-once', fault: once({ kind: 'latency', ms: 2500 }), expected: 'sent', sesAttempts: 2 },
  { name: 'message-rejected', fault: () => ({ kind: 'reject' }), expected: 'dead-lettered', sesAttempts: 1, deadLetterCode: 'E_SES_MessageRejected' },
  { name: 'mail-from-unverified', fault: () => ({ kind: 'error', status: 400, errorType: 'MailFromDomainNotVerifiedException' }), expected: 'dead-lettered', sesAttempts: 1, deadLetterCode: 'E_SES_MailFromDomainNotVerifiedException' },
  { name: 'unknown-template', fault: () => undefined, expected: 'dead-lettered', sesAttempts: 1, deadLetterCode: /^E_SES_(NotFoundException|404)$/, job: { template: 'NoSuchTemplate', subject: undefined, html: undefined } },
];

describe('fault matrix: every SES failure class ends where it should', () => {
  const local = useLocalStack();
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy({ upstream: local().stack.endpoints.ses });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('sends once, retries with growing visibility, or dead-letters with the reason; no duplicates', async () => {
    const { stack, s3, sqs } = local();
    await publishAvatarFor(stack, s3, 'alice');
    const config = await sendFixture(stack, s3, { SEND_CONCURRENCY: '4' });
    const ses = sesClientFor(proxy.url);
    const attempts = new Map<string, number>();
    proxy.setRule((request) => {
      const name = request.json?.Content?.Simple?.Subject?.Data ?? request.json?.Content?.Template?.TemplateName ?? '';
      const testCase = CASES.find((c) => c.name === name || c.job?.template === name);
      const attempt = (attempts.get(testCase?.name ?? name) ?? 0) + 1;
      attempts.set(testCase?.name ?? name, attempt);
      return testCase?.fault(attempt);
    });

    for (const testCase of CASES) {
      await enqueueEmail(sqs, stack.queueUrl, JSON.parse(JSON.stringify({
        id: `fault-${testCase.name}`, from: 'app@example.com', to: 'reader@example.com', subject: testCase.name,
        html: '<img src="{{avatar:alice:48}}"> hello', ...testCase.job,
      })));
    }
    // A body that is not even JSON: dead-lettered at once, SES never asked.
    await sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: '{"id": "fault-invalid-json", oops' }));

    const { logger, lines } = createMemoryLogger();
    const outcomes: RecordOutcome[] = await drainQueue({ sqs, queueUrl: stack.queueUrl, queueArn: stack.queueArn, region: stack.region, process: (event) => processSqsEvent({ s3, ses, sqs, config, urlFor: (key) => permanentUrl(config.avatarBaseUrl, key), log: logger }, event) });

    const mails = await sesStore(stack);
    const deadLetters = await readDeadLetters(sqs, stack.dlqUrl);
    const matrix = [...CASES.map((c) => c.name), 'invalid-json'].map((name) => {
      const jobId = `fault-${name}`;
      const mine = outcomes.filter((o) => o.jobId === jobId);
      const sent = mails.filter((m) => m.subject === name).length;
      return {
        case: name,
        sesAttempts: attempts.get(name) ?? 0,
        sent,
        retried: mine.filter((o) => o.status === 'retry').length,
        deadLettered: deadLetters.filter((d) => d.body.includes(`"${jobId}"`)).length,
        duplicates: Math.max(0, sent - 1),
        deadLetterCode: deadLetters.find((d) => d.body.includes(`"${jobId}"`))?.attributes.ErrorCode,
      };
    });
    await mkdir(join(PROJECT_ROOT, 'out'), { recursive: true });
    await writeFile(join(PROJECT_ROOT, 'out/fault-matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`);

    for (const testCase of CASES) {
      const row = matrix.find((r) => r.case === testCase.name);
      expect(row, testCase.name).toMatchObject({
        sesAttempts: testCase.sesAttempts,
        sent: testCase.expected === 'sent' ? 1 : 0,
        retried: testCase.sesAttempts - 1,
        deadLettered: testCase.expected === 'dead-lettered' ? 1 : 0,
        duplicates: 0,
        ...(testCase.deadLetterCode !== undefined ? { deadLetterCode: expect.stringMatching(testCase.deadLetterCode) } : {}),
      });
    }
    expect(matrix.find((r) => r.case === 'invalid-json')).toMatchObject({ sesAttempts: 0, sent: 0, retried: 0, deadLettered: 1, deadLetterCode: 'E_JOB_INVALID' });

    // The DLQ copy keeps the original body and says why, where from and after how many receives.
    const rejected = deadLetters.find((d) => d.attributes.JobId === 'fault-message-rejected');
    expect(JSON.parse(rejected?.body ?? '{}')).toMatchObject({ id: 'fault-message-rejected', subject: 'message-rejected' });
    expect(rejected?.attributes).toMatchObject({ ErrorKind: 'permanent', ReceiveCount: '1', SourceQueueArn: stack.queueArn, ErrorReason: expect.stringMatching(/MessageRejected.*not verified/) });

    // Retries back off: the twice-throttled job was made invisible for 1 s, then 2 s.
    const backoffs = lines.filter((l) => l.message === 'email not sent' && l.jobId === 'fault-throttled-twice').map((l) => l.visibilityTimeout);
    expect(backoffs).toEqual([1, 2]);
    // One manifest read per batch for all its jobs (they all show alice).
    const batches = lines.filter((l) => l.message === 'batch done');
    expect(Number(batches[0]?.records)).toBeGreaterThan(1);
    expect(batches[0]?.manifestsRead).toBe(1);
    expect(batches.every((b) => Number(b.manifestsRead) <= 1)).toBe(true);
    // Every mail that went out carries the permanent avatar URL.
    for (const mail of mails.filter((m) => CASES.some((c) => c.name === m.subject))) {
      expect(mail.body.html).toMatch(new RegExp(`^<img src="${stack.endpoints.edge}avatars/[0-9a-f]{32}/[0-9a-f]{20}/48\\.jpg"> hello$`));
    }
  });

  it('a job throttled on every attempt is never dropped: the redrive policy moves it to the DLQ', async () => {
    const { stack, s3, sqs } = local();
    const config = await sendFixture(stack, s3, { RETRY_BASE_SECONDS: '0', RETRY_MAX_SECONDS: '0' });
    const ses = sesClientFor(proxy.url);
    let throttled = 0;
    proxy.setRule(() => {
      throttled += 1;
      return { kind: 'throttle' };
    });
    await enqueueEmail(sqs, stack.queueUrl, { id: 'fault-throttled-forever', from: 'app@example.com', to: 'reader@example.com', subject: 'throttled-forever', text: 'x' });
    const { logger } = createMemoryLogger();
    const outcomes = await drainQueue({ sqs, queueUrl: stack.queueUrl, queueArn: stack.queueArn, region: stack.region, process: (event) => processSqsEvent({ s3, ses, sqs, config, urlFor: (key) => permanentUrl(config.avatarBaseUrl, key), log: logger }, event) });
    expect(outcomes.map((o) => o.status)).toEqual(['retry', 'retry', 'retry', 'retry', 'retry']);
    expect(throttled).toBe(5);
    const moved = (await readDeadLetters(sqs, stack.dlqUrl)).filter((d) => JSON.parse(d.body).id === 'fault-throttled-forever');
    expect(moved).toHaveLength(1);
    expect((await sesStore(stack)).filter((m) => m.subject === 'throttled-forever')).toHaveLength(0);
    proxy.setRule(undefined);
  });
});
