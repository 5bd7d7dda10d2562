/**
 * Plays Lambda's SQS event source against the local queue: receive a batch, hand it to the send
 * core as an SQS event, then delete every record not reported in batchItemFailures. Visibility,
 * receive counts and redrive to the DLQ are the queue's own (fauxqs), not simulated here.
 */
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { toSqsEvent } from '../../dev/sqs-event';
import type { BatchResult, RecordOutcome } from '../../shared/mail/process-sqs-event';

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  process: (event: SQSEvent) => Promise<BatchResult>;
}

export async function receiveBatch(sqs: SQSClient, queueUrl: string, waitSeconds = 1): Promise<Message[]> {
  const received = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, MessageSystemAttributeNames: ['All'] }),
  );
  return received.Messages ?? [];
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
  );
  const a = attributes.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
}

/** One poll: returns the outcomes of the batch it processed (empty when nothing arrived). */
export async function pollOnce(options: PollerOptions, waitSeconds = 1): Promise<RecordOutcome[]> {
  const messages = await receiveBatch(options.sqs, options.queueUrl, waitSeconds);
  if (messages.length === 0) return [];
  const result = await options.process(toSqsEvent(messages, options.queueArn, options.region));
  const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
  for (const message of messages) {
    if (!failed.has(message.MessageId ?? '')) {
      await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return result.outcomes;
}

/** Polls until the queue is empty (retries included), or `maxPolls` is reached. */
export async function drainQueue(options: PollerOptions, maxPolls = 60): Promise<RecordOutcome[]> {
  const outcomes: RecordOutcome[] = [];
  for (let poll = 0; poll < maxPolls; poll += 1) {
    outcomes.push(...(await pollOnce(options)));
    if ((await queueDepth(options.sqs, options.queueUrl)) === 0) return outcomes;
  }
  throw new Error(`queue not empty after ${maxPolls} polls; outcomes so far: ${JSON.stringify(outcomes.map((o) => o.status))}`);
}
