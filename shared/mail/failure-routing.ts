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

/** Why a record was put back without being tried: nothing failed, it is simply not its turn. */
export type DeferralCode =
  /** Its pacing slot would come too close to the end of the invocation (see send-deadline.ts). */
  | 'E_DEADLINE'
  /** An earlier record of the same batch carries the same job id; this copy is retried, then is a duplicate. */
  | 'E_JOB_DUPLICATE_IN_BATCH';

export type FailureOutcome =
  | { status: 'dead-lettered'; messageId: string; jobId: string | undefined; code: string; reason: string }
  | { status: 'retry'; messageId: string; jobId: string | undefined; code: string; reason: string; visibilityTimeout: number }
  | { status: 'deferred'; messageId: string; jobId: string | undefined; code: DeferralCode; reason: string; visibilityTimeout: number };

/** Codes that are ordinary concurrency, not a fault: logged as a warning, not an error. */
const EXPECTED_RETRY_CODES: ReadonlySet<string> = new Set(['E_JOB_IN_PROGRESS']);

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
  // Hand-made events may lack attributes (sqs-records.ts completes them; this stays safe anyway).
  const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 1);
  const visibilityTimeout = visibilityTimeoutFor(receiveCount, deps.retry);
  await changeVisibility(deps, record, visibilityTimeout, log);
  const level = error.kind === 'retryable' && EXPECTED_RETRY_CODES.has(error.code) ? 'warn' : 'error';
  log[level]('email not sent', { outcome: 'retry', ...fields, receiveCount, visibilityTimeout });
  return { status: 'retry', ...base, visibilityTimeout };
}

/**
 * Puts a record back untried: reported in batchItemFailures, visible again after the base retry
 * delay (not a growing backoff: nothing failed). Logged at info, it is not a problem.
 */
export async function deferRecord(
  deps: FailureRoutingDeps,
  record: SQSRecord,
  jobId: string | undefined,
  deferral: { code: DeferralCode; reason: string; fields?: Record<string, unknown> },
  log: Logger,
): Promise<FailureOutcome> {
  const visibilityTimeout = visibilityTimeoutFor(1, deps.retry);
  await changeVisibility(deps, record, visibilityTimeout, log);
  log.info('email deferred', { outcome: 'deferred', jobId, code: deferral.code, reason: deferral.reason, visibilityTimeout, ...deferral.fields });
  return { status: 'deferred', messageId: record.messageId, jobId, code: deferral.code, reason: deferral.reason, visibilityTimeout };
}
