/**
 * At most one mail per job id, against the real local S3 (conditional writes through
 * dev/s3rver-patches.ts), queue and SES: redelivery, re-enqueue, two copies racing in one batch,
 * and the takeover of a claim whose worker died between claim and send.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { toSqsEvent } from '../../dev/sqs-event';
import { claimJob, type ClaimRecord } from '../../shared/idempotency';
import { idempotencyKey } from '../../shared/keys';
import { createMemoryLogger } from '../../shared/log';
import { enqueueEmail } from '../../shared/mail/enqueue';
import { processSqsEvent } from '../../shared/mail/process-sqs-event';
import { sesStore, useLocalStack } from '../helpers/local-stack';
import { publishAvatarFor, sendFixture, sesClientFor } from '../helpers/send-fixture';
import { drainQueue, pollOnce, receiveBatch } from '../helpers/sqs-poller';
import { permanentUrl } from '../../shared/urls/public-url';

const job = (id: string, subject = id) => ({ id, from: 'app@example.com', to: 'reader@example.com', subject, html: '<img src="{{avatar:bob}}">' });

describe('idempotent sending', () => {
  const local = useLocalStack();
  const mailsWithSubject = async (subject: string) => (await sesStore(local().stack)).filter((m) => m.subject === subject);

  async function setup() {
    const { stack, s3, sqs } = local();
    const config = await sendFixture(stack, s3, { IDEMPOTENCY_LEASE_SECONDS: '120' });
    const ses = sesClientFor(stack.endpoints.ses);
    const { logger, lines } = createMemoryLogger();
    const process = (event: Parameters<typeof processSqsEvent>[1]) => processSqsEvent({ s3, ses, sqs, config, urlFor: (key) => permanentUrl(config.avatarBaseUrl, key), log: logger }, event);
    const poller = { sqs, queueUrl: stack.queueUrl, queueArn: stack.queueArn, region: stack.region, process };
    return { stack, s3, sqs, config, process, poller, lines };
  }

  it('the same SQS message delivered twice sends one mail and marks the job sent', async () => {
    const { stack, s3, sqs, process } = await setup();
    await publishAvatarFor(stack, s3, 'bob');
    await enqueueEmail(sqs, stack.queueUrl, job('idem-redelivery'));
    const messages = await receiveBatch(sqs, stack.queueUrl);
    const event = toSqsEvent(messages, stack.queueArn, stack.region);
    const first = await process(event);
    const second = await process(event);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: stack.queueUrl, ReceiptHandle: messages[0]?.ReceiptHandle }));
    expect(first.outcomes.map((o) => o.status)).toEqual(['sent']);
    expect(second.outcomes.map((o) => o.status)).toEqual(['duplicate']);
    expect(second.batchItemFailures).toEqual([]);
    expect(await mailsWithSubject('idem-redelivery')).toHaveLength(1);

    const claim = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: idempotencyKey('idem-redelivery') }));
    const record = JSON.parse(await claim.Body!.transformToString()) as ClaimRecord;
    expect(record).toMatchObject({ state: 'sent', jobId: 'idem-redelivery', sesMessageId: first.sent[0]?.sesMessageId, attempt: 1 });
  });

  it('the same job id enqueued three times (also racing in one batch) sends one mail', async () => {
    const { stack, sqs, poller } = await setup();
    for (let i = 0; i < 3; i += 1) await enqueueEmail(sqs, stack.queueUrl, job('idem-reenqueue'));
    const outcomes = await drainQueue(poller);
    const statuses = outcomes.filter((o) => o.jobId === 'idem-reenqueue').map((o) => o.status);
    expect(statuses.filter((s) => s === 'sent')).toHaveLength(1);
    // Later copies of one batch are deferred (a copy in another batch may find the claim held); both retry, then find the job sent.
    expect(statuses.filter((s) => s === 'duplicate').length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 'dead-lettered')).toHaveLength(0);
    expect(await mailsWithSubject('idem-reenqueue')).toHaveLength(1);
  });

  it('a second copy of a job id in the same batch is deferred (info, not an error), then found sent', async () => {
    const { stack, sqs, process, poller, lines } = await setup();
    await enqueueEmail(sqs, stack.queueUrl, job('idem-same-batch'));
    await enqueueEmail(sqs, stack.queueUrl, job('idem-same-batch'));
    const messages = await receiveBatch(sqs, stack.queueUrl);
    while (messages.length < 2) messages.push(...(await receiveBatch(sqs, stack.queueUrl)));
    const result = await process(toSqsEvent(messages, stack.queueArn, stack.region));
    expect(result.outcomes).toMatchObject([
      { status: 'sent', messageId: messages[0]?.MessageId },
      { status: 'deferred', messageId: messages[1]?.MessageId, code: 'E_JOB_DUPLICATE_IN_BATCH' },
    ]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: messages[1]?.MessageId }]);
    expect(lines.filter((l) => l.jobId === 'idem-same-batch' && l.level === 'error')).toEqual([]);
    expect(lines.find((l) => l.message === 'email deferred' && l.jobId === 'idem-same-batch')).toMatchObject({
      level: 'info', code: 'E_JOB_DUPLICATE_IN_BATCH', firstMessageId: messages[0]?.MessageId, messageId: messages[1]?.MessageId,
    });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: stack.queueUrl, ReceiptHandle: messages[0]?.ReceiptHandle }));
    // The deferred copy comes back and is recognised as a duplicate: still one mail.
    expect(await drainQueue(poller)).toMatchObject([{ status: 'duplicate', jobId: 'idem-same-batch' }]);
    expect(await mailsWithSubject('idem-same-batch')).toHaveLength(1);
  });

  it('a claim whose worker died (lease over) is taken over with If-Match and sent exactly once', async () => {
    const { stack, s3, sqs, config, poller } = await setup();
    const store = { s3, bucket: config.idempotencyBucket, leaseSeconds: 60 };
    // A worker claimed ten minutes ago and crashed before sending: its 60 s lease is long over.
    const crashed = await claimJob({ ...store, now: () => new Date(Date.now() - 600_000) }, 'idem-crashed', 'm-crashed');
    expect(crashed.status).toBe('claimed');
    await enqueueEmail(sqs, stack.queueUrl, job('idem-crashed'));
    expect(await pollOnce(poller)).toMatchObject([{ status: 'sent', jobId: 'idem-crashed', takenOver: true }]);
    expect(await mailsWithSubject('idem-crashed')).toHaveLength(1);
    const record = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: idempotencyKey('idem-crashed') }))).Body!.transformToString()) as ClaimRecord;
    expect(record).toMatchObject({ state: 'sent', attempt: 2 });
  });

  it('two late workers racing to take over an expired claim: exactly one wins', async () => {
    const { s3, config } = await setup();
    const store = { s3, bucket: config.idempotencyBucket, leaseSeconds: 60 };
    await claimJob({ ...store, now: () => new Date(Date.now() - 600_000) }, 'idem-race', 'm-0');
    const results = await Promise.all([claimJob(store, 'idem-race', 'm-1'), claimJob(store, 'idem-race', 'm-2'), claimJob(store, 'idem-race', 'm-3')]);
    expect(results.filter((r) => r.status === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'held')).toHaveLength(2);
    expect(results.find((r) => r.status === 'claimed')).toMatchObject({ takenOver: true });
  });

  it('a live claim held by another worker makes the delivery retry with backoff, not send', async () => {
    const { stack, s3, sqs, config, process, poller, lines } = await setup();
    await claimJob({ s3, bucket: config.idempotencyBucket, leaseSeconds: 90 }, 'idem-held', 'm-other');
    await enqueueEmail(sqs, stack.queueUrl, job('idem-held'));
    const result = await process(toSqsEvent(await receiveBatch(sqs, stack.queueUrl), stack.queueArn, stack.region));
    expect(result.outcomes).toMatchObject([{ status: 'retry', code: 'E_JOB_IN_PROGRESS' }]);
    expect(result.batchItemFailures).toHaveLength(1);
    const logged = lines.find((l) => l.message === 'email not sent' && l.jobId === 'idem-held');
    expect(logged).toMatchObject({ level: 'warn', code: 'E_JOB_IN_PROGRESS', visibilityTimeout: 1 });
    expect(await mailsWithSubject('idem-held')).toHaveLength(0);
    // The message is invisible now (its visibility was set to the backoff).
    expect(await receiveBatch(sqs, stack.queueUrl, 0)).toHaveLength(0);
    // After the holder finishes, the retry finds the job sent and sends nothing.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await pollOnce(poller)).toMatchObject([{ status: 'retry', code: 'E_JOB_IN_PROGRESS' }]);
    expect(await mailsWithSubject('idem-held')).toHaveLength(0);
    // The holder finishes (marks the job sent): the next delivery is a duplicate and leaves the queue.
    const { markSent } = await import('../../shared/idempotency');
    const held = await claimJob({ s3, bucket: config.idempotencyBucket, leaseSeconds: 90, now: () => new Date(Date.now() + 3_600_000) }, 'idem-held', 'm-other');
    if (held.status !== 'claimed') throw new Error(`expected to take over, got ${held.status}`);
    await markSent({ s3, bucket: config.idempotencyBucket, leaseSeconds: 90 }, held.claim, 'ses-by-other');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await drainQueue(poller)).toMatchObject([{ status: 'duplicate', jobId: 'idem-held' }]);
    expect(await mailsWithSubject('idem-held')).toHaveLength(0);
  });

  it('a job SES refused releases its claim, so the fixed job can be sent later under the same id', async () => {
    const { stack, s3, sqs, config } = await setup();
    const { startFaultProxy } = await import('../../dev/fault-proxy');
    const proxy = await startFaultProxy({ upstream: stack.endpoints.ses });
    try {
      proxy.enqueue({ kind: 'reject' });
      const { logger } = createMemoryLogger();
      const viaProxy = (event: Parameters<typeof processSqsEvent>[1]) => processSqsEvent({ s3, ses: sesClientFor(proxy.url), sqs, config, urlFor: (key) => permanentUrl(config.avatarBaseUrl, key), log: logger }, event);
      await enqueueEmail(sqs, stack.queueUrl, job('idem-rejected-then-fixed'));
      const poll = { sqs, queueUrl: stack.queueUrl, queueArn: stack.queueArn, region: stack.region, process: viaProxy };
      expect(await pollOnce(poll)).toMatchObject([{ status: 'dead-lettered', code: 'E_SES_MessageRejected' }]);
      await enqueueEmail(sqs, stack.queueUrl, job('idem-rejected-then-fixed'));
      expect(await pollOnce(poll)).toMatchObject([{ status: 'sent', takenOver: true }]);
      expect(await mailsWithSubject('idem-rejected-then-fixed')).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });
});
