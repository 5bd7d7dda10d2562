/**
 * The send core's guards against the real local queue, S3 and SES: a mail that would keep
 * literal placeholders is dead-lettered with the reason; hand-made records missing fields are
 * handled one by one; sends that would end past the invocation's deadline are deferred untried.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { toSqsEvent } from '../../dev/sqs-event';
import { idempotencyKey } from '../../shared/keys';
import { createMemoryLogger } from '../../shared/log';
import { MISSING_BODY } from '../../shared/mail/dead-letter';
import { enqueueEmail } from '../../shared/mail/enqueue';
import { processSqsEvent } from '../../shared/mail/process-sqs-event';
import { SendPacer } from '../../shared/mail/send-pacer';
import { SendRateSource } from '../../shared/mail/send-rate';
import { sesStore, useLocalStack } from '../helpers/local-stack';
import { publishAvatarFor, readDeadLetters, sendFixture, sesClientFor } from '../helpers/send-fixture';
import { drainQueue, receiveBatch } from '../helpers/sqs-poller';
import { permanentUrl } from '../../shared/urls/public-url';

async function receiveAll(sqs: SQSClient, queueUrl: string, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  for (let round = 0; round < 10 && messages.length < count; round += 1) messages.push(...(await receiveBatch(sqs, queueUrl)));
  if (messages.length !== count) throw new Error(`expected ${count} messages, received ${messages.length}`);
  return messages;
}

describe('send guards', () => {
  const local = useLocalStack();

  async function setup(env: Record<string, string> = {}) {
    const { stack, s3, sqs } = local();
    const config = await sendFixture(stack, s3, env);
    const ses = sesClientFor(stack.endpoints.ses);
    const { logger, lines } = createMemoryLogger();
    const poller = { sqs, queueUrl: stack.queueUrl, queueArn: stack.queueArn, region: stack.region, process: (event: unknown) => processSqsEvent({ s3, ses, sqs, config, urlFor: (key) => permanentUrl(config.avatarBaseUrl, key), log: logger }, event) };
    const mailsWithSubject = async (subject: string) => (await sesStore(stack)).filter((m) => m.subject === subject);
    const claimed = async (jobId: string) =>
      s3.send(new HeadObjectCommand({ Bucket: config.idempotencyBucket, Key: idempotencyKey(jobId) })).then(() => true, () => false);
    return { stack, s3, sqs, ses, config, logger, lines, poller, mailsWithSubject, claimed };
  }

  it('dead-letters at once, with the tokens named, a mail that would keep literal placeholders', async () => {
    const { stack, s3, sqs, poller, lines, mailsWithSubject, claimed } = await setup();
    await publishAvatarFor(stack, s3, 'alice');
    await enqueueEmail(sqs, stack.queueUrl, {
      id: 'guard-placeholders', from: 'app@example.com', to: 'reader@example.com', subject: 'guard-placeholders',
      html: '<img src="{{avatar:a b}}"> {{ first-name }} {{avatar:alice:big}}', text: 'Hi {{avatar:alice}}',
    });
    expect(await drainQueue(poller)).toMatchObject([{ status: 'dead-lettered', code: 'E_JOB_PLACEHOLDER' }]);
    expect(await mailsWithSubject('guard-placeholders')).toHaveLength(0);
    expect(await claimed('guard-placeholders')).toBe(false);
    const dead = (await readDeadLetters(sqs, stack.dlqUrl)).find((d) => d.attributes.JobId === 'guard-placeholders');
    expect(dead?.attributes).toMatchObject({ ErrorCode: 'E_JOB_PLACEHOLDER', ErrorKind: 'permanent', ErrorReason: expect.stringContaining('html: {{avatar:a b}}, {{ first-name }}, {{avatar:alice:big}}') });
    expect(lines.filter((l) => l.message === 'email sent')).toHaveLength(0);
  });

  it('handles records without attributes or body one by one: the job is sent, the bodiless one dead-lettered', async () => {
    const { stack, sqs, poller, lines, mailsWithSubject } = await setup();
    await enqueueEmail(sqs, stack.queueUrl, { id: 'guard-no-attributes', from: 'app@example.com', to: 'reader@example.com', subject: 'guard-no-attributes', text: 'x' });
    const [message] = await receiveAll(sqs, stack.queueUrl, 1);
    const [real] = toSqsEvent(message === undefined ? [] : [message], stack.queueArn, stack.region).Records;
    const { attributes: _dropped, ...withoutAttributes } = real ?? {};
    const event = { Records: [withoutAttributes, { messageId: 'hand-made-no-body', eventSourceARN: stack.queueArn }] };

    const result = await poller.process(event);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: stack.queueUrl, ReceiptHandle: message?.ReceiptHandle }));
    expect(result.outcomes).toMatchObject([
      { status: 'sent', jobId: 'guard-no-attributes' },
      { status: 'dead-lettered', messageId: 'hand-made-no-body', code: 'E_JOB_INVALID', reason: 'Invalid email job: the SQS record has no body.' },
    ]);
    expect(result.batchItemFailures).toEqual([]);
    expect(await mailsWithSubject('guard-no-attributes')).toHaveLength(1);
    const dead = (await readDeadLetters(sqs, stack.dlqUrl)).find((d) => d.attributes.SourceMessageId === 'hand-made-no-body');
    expect(dead).toMatchObject({ body: MISSING_BODY, attributes: { ErrorCode: 'E_JOB_INVALID', ReceiveCount: '1' } });
    expect(lines.some((l) => l.message === 'could not dead-letter; the record stays queued')).toBe(false);
  });

  it('defers, untried and unclaimed, the sends whose pacing slot would come too close to the deadline', async () => {
    // 0.25 mails/s (a send every 4 s), one at a time, a 30 s invocation on a fake clock, 5 s margin:
    // sends start at 0, 4, ..., 24 s; the 8th would start at 28 s with 2 s left.
    const { stack, s3, sqs, ses, config, logger, lines, poller, mailsWithSubject, claimed } = await setup({ SEND_CONCURRENCY: '1', MAX_SEND_RATE: '0.25' });
    const ids = Array.from({ length: 10 }, (_, i) => `guard-deadline-${i}`);
    for (const id of ids) await enqueueEmail(sqs, stack.queueUrl, { id, from: 'app@example.com', to: 'reader@example.com', subject: id, text: 'x' });
    const messages = await receiveAll(sqs, stack.queueUrl, 10);
    let clock = 0;
    const pacer = new SendPacer(1, () => clock, async (ms) => { clock += ms; });
    const pacing = { pacer, rate: new SendRateSource(ses, { maxSendRate: config.maxSendRate, instances: config.sendInstances }) };
    const result = await processSqsEvent({ s3, ses, sqs, config, urlFor: (key) => permanentUrl(config.avatarBaseUrl, key), log: logger, pacing, remainingTimeMs: () => 30_000 - clock }, toSqsEvent(messages, stack.queueArn, stack.region));

    const byJob = new Map(result.outcomes.map((o) => [o.jobId, o]));
    const order = messages.map((m) => (JSON.parse(m.Body ?? '{}') as { id: string }).id);
    expect(order.map((id) => byJob.get(id)?.status)).toEqual([...Array(7).fill('sent'), ...Array(3).fill('deferred')]);
    const deferred = order.slice(7);
    expect(result.outcomes.filter((o) => o.status === 'deferred')).toMatchObject(deferred.map((jobId) => ({ jobId, code: 'E_DEADLINE', visibilityTimeout: 1 })));
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(result.outcomes.filter((o) => o.status === 'deferred').map((o) => o.messageId).sort());
    for (const jobId of deferred) expect(await claimed(jobId)).toBe(false);
    const deferredLines = lines.filter((l) => l.message === 'email deferred');
    expect(deferredLines).toHaveLength(3);
    expect(deferredLines.every((l) => l.level === 'info' && l.code === 'E_DEADLINE' && l.remainingMs === 6_000 && l.waitMs === 4_000)).toBe(true);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    for (const message of messages) {
      if (!result.batchItemFailures.some((f) => f.itemIdentifier === message.MessageId)) {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: stack.queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }

    // They come back after the base retry delay and go out once, in a later invocation.
    const later = await drainQueue(poller);
    expect(later.filter((o) => o.status === 'sent').map((o) => o.jobId).sort()).toEqual([...deferred].sort());
    for (const id of ids) expect(await mailsWithSubject(id)).toHaveLength(1);
  });
});
