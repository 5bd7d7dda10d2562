/**
 * Where a record that was not sent goes. Permanent failures are copied to the DLQ at once (and the
 * record is done); everything else is retried: reported in batchItemFailures and made invisible
 * for a backoff that grows with the receive count. If the DLQ cannot be written, the record is
 * retried too: nothing is ever dropped.
 */
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { errorMessage, type PipelineError } from '../errors';
import type { Logger } from '../log';
import { sendToDeadLetterQueue } from './dead-letter';
import { queueUrlFromArn } from './queue-url';
import { type RetryPolicy, visibilityTimeoutFor } from './retry-policy';

export interface FailureRoutingDeps {
  /** Without it nothing can be dead-lettered or delayed: failures are only reported. */
  sqs: SQSClient | undefined;
  dlqUrl: string | undefined;
  /** Endpoint override for turning the event's queue ARN into its URL (local stack). */
  sqsEndpoint: string | undefined;
  retry: RetryPolicy;
  now: () => Date;
}

export type FailureOutcome =
  | { status: 'dead-lettered'; messageId: string; jobId: string | undefined; code: string; reason: string }
  | { status: 'retry'; messageId: string; jobId: string | undefined; code: string; reason: string; visibilityTimeout: number };

async function changeVisibility(deps: FailureRoutingDeps, record: SQSRecord, seconds: number, log: Logger): Promise<void> {
  if (deps.sqs === undefined) return;
  try {
    const QueueUrl = queueUrlFromArn(record.eventSourceARN, deps.sqsEndpoint);
    await deps.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: seconds }));
  } catch (error) {
    // The message still comes back, after the queue's own visibility timeout.
    log.warn('could not change message visibility', { reason: errorMessage(error), visibilityTimeout: seconds });
  }
}

export async function routeFailure(
  deps: FailureRoutingDeps,
  record: SQSRecord,
  jobId: string | undefined,
  error: PipelineError,
  log: Logger,
): Promise<FailureOutcome> {
  const base = { messageId: record.messageId, jobId, code: error.code, reason: error.message };
  const fields = { jobId, code: error.code, kind: error.kind, reason: error.message };
  if (error.kind === 'permanent' && deps.sqs !== undefined && deps.dlqUrl !== undefined) {
    try {
      const dlqMessageId = await sendToDeadLetterQueue(deps.sqs, deps.dlqUrl, { record, jobId, error, now: deps.now() });
      log.error('email not sent', { outcome: 'dead-lettered', ...fields, dlqMessageId });
      return { status: 'dead-lettered', ...base };
    } catch (dlqError) {
      log.error('could not dead-letter; the record stays queued', { ...fields, dlqReason: errorMessage(dlqError) });
    }
  }
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  const visibilityTimeout = visibilityTimeoutFor(receiveCount, deps.retry);
  await changeVisibility(deps, record, visibilityTimeout, log);
  log.error('email not sent', { outcome: 'retry', ...fields, receiveCount, visibilityTimeout });
  return { status: 'retry', ...base, visibilityTimeout };
}
