/**
 * SQS batch -> mails. Every record ends in exactly one of five places:
 *   sent           SES accepted it (and the job id is marked sent)
 *   duplicate      this job id was sent before: nothing sent, the record is done
 *   dead-lettered  a permanent failure: copied to the DLQ with the reason, the record is done
 *   retry          a passing failure: reported in batchItemFailures, invisible for a growing while
 *   deferred       not tried (no time left before the deadline, or a second copy of a job id in
 *                  this batch): reported in batchItemFailures, back after the base retry delay
 * Only `retry` and `deferred` records return to the queue (needs `ReportBatchItemFailures`).
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { SendConfig } from '../config';
import { asPipelineError, permanentError, type PipelineError } from '../errors';
import type { IdempotencyStore } from '../idempotency';
import type { Logger } from '../log';
import { loadManifests, publicIdOfTarget } from './avatar-resolver';
import { deferRecord, type FailureOutcome, type FailureRoutingDeps, routeFailure } from './failure-routing';
import { type EmailJob, jobIdOf, parseEmailJob } from './job';
import { avatarRequestsOf, type RenderDeps, type RenderReport, renderEmail } from './render';
import { buildSendEmailInput, withDefaultConfigurationSet } from './ses-request';
import { sendOnce } from './send-once';
import { DEADLINE_MARGIN_MS, SendAdmission } from './send-deadline';
import { mapConcurrent, SendPacer } from './send-pacer';
import { SendRateSource } from './send-rate';
import { sqsRecordsOf } from './sqs-records';

export interface SendDeps {
  s3: S3Client;
  ses: SESv2Client;
  /** For the DLQ and visibility changes; without it failures are only reported in batchItemFailures. */
  sqs?: SQSClient;
  config: SendConfig;
  log: Logger;
  /**
   * Object key -> the URL mailed: the configured delivery strategy's `urlFor` (public, CloudFront,
   * CloudFront-signed). Required: a fallback built from AVATAR_BASE_URL would silently send
   * unsigned URLs in signed mode.
   */
  urlFor: (key: string) => string;
  /** Kept across invocations by the handler, so the rate holds across batches of one instance. */
  pacing?: { pacer: SendPacer; rate: SendRateSource };
  now?: () => Date;
  /**
   * Milliseconds left in this invocation (the handler passes `context.getRemainingTimeInMillis`).
   * A record whose pacing slot would leave less than `deadlineMarginMs` is deferred, not started.
   */
  remainingTimeMs?: () => number;
  deadlineMarginMs?: number;
}

export type RecordOutcome =
  | { status: 'sent'; messageId: string; jobId: string; sesMessageId: string; avatarUrls: string[]; rewritten: number; takenOver: boolean }
  | { status: 'duplicate'; messageId: string; jobId: string }
  | FailureOutcome;

export type SentRecord = Extract<RecordOutcome, { status: 'sent' }>;

export interface BatchResult extends SQSBatchResponse {
  outcomes: RecordOutcome[];
  /** The `sent` outcomes (kept for callers that only care about mails that went out). */
  sent: SentRecord[];
}

/** What an operator needs to know about a mail that went out: defaults used, signed URLs left in it. */
function logRendering(log: Logger, report: RenderReport, now: Date): void {
  for (const foreign of report.foreign) {
    log.warn('signed URL left in mail', {
      location: foreign.location,
      signature: foreign.signature,
      expiresAt: foreign.expiresAt?.toISOString(),
      expired: foreign.expiresAt !== undefined && foreign.expiresAt.getTime() <= now.getTime(),
    });
  }
  const defaulted = report.avatars.flatMap((a) => (a.source === 'default' ? [{ publicId: a.publicId, reason: a.reason }] : []));
  if (defaulted.length > 0) log.info('default avatar used', { avatars: defaulted });
}

type Parsed = { record: SQSRecord; job: EmailJob } | { record: SQSRecord; error: PipelineError };

function parse(record: SQSRecord): Parsed {
  // SQS never delivers an empty body: only a hand-made event has none (sqs-records.ts).
  if (record.body === '') return { record, error: permanentError('E_JOB_INVALID', 'Invalid email job: the SQS record has no body.') };
  try {
    return { record, job: parseEmailJob(record.body) };
  } catch (error) {
    return { record, error: asPipelineError(error) };
  }
}

/** The first record of the batch for each job id; later copies wait for a retry (then are duplicates). */
function firstCopies(parsed: readonly Parsed[]): Map<string, Parsed> {
  const first = new Map<string, Parsed>();
  for (const item of parsed) if ('job' in item && !first.has(item.job.id)) first.set(item.job.id, item);
  return first;
}

/**
 * `event` is an SQS event (`SQSEvent`); anything without a `Records` array is refused with a
 * permanent E_EVENT error (logged once), since there is no record to report or dead-letter.
 */
export async function processSqsEvent(deps: SendDeps, event: unknown): Promise<BatchResult> {
  const { config, log } = deps;
  const now = deps.now ?? (() => new Date());
  const { urlFor } = deps;
  const presigned = { avatarBucket: config.avatarBucket, customHosts: config.presignedUrlHosts };
  let records: SQSRecord[];
  try {
    records = sqsRecordsOf(event);
  } catch (thrown) {
    const error = asPipelineError(thrown);
    log.error('event refused', { code: error.code, kind: error.kind, reason: error.message });
    throw error;
  }
  const parsed = records.map(parse);
  const firstCopy = firstCopies(parsed);

  // One manifest read per distinct user in the whole batch.
  const publicIds = parsed.flatMap((p) => ('job' in p ? avatarRequestsOf(p.job, presigned).map((r) => publicIdOfTarget(r.target, config.publicId)) : []));
  const lookup = await loadManifests(deps.s3, config.avatarBucket, publicIds);
  const renderDeps: RenderDeps = {
    lookup,
    presigned,
    publicId: config.publicId,
    defaultAvatarSize: config.defaultAvatarSize,
    urlFor,
    defaultAvatarUrl: config.defaultAvatarUrl ?? urlFor(config.defaultAvatarKey),
  };
  const store: IdempotencyStore = { s3: deps.s3, bucket: config.idempotencyBucket, leaseSeconds: config.idempotencyLeaseSeconds, now };
  const pacing = deps.pacing ?? {
    pacer: new SendPacer(1),
    rate: new SendRateSource(deps.ses, { maxSendRate: config.maxSendRate, instances: config.sendInstances }),
  };
  pacing.pacer.setRate(await pacing.rate.perInstanceRate(log));
  const admission = new SendAdmission(pacing.pacer, deps.remainingTimeMs, deps.deadlineMarginMs ?? DEADLINE_MARGIN_MS);

  const routing: FailureRoutingDeps = {
    sqs: deps.sqs,
    dlqUrl: config.dlqUrl,
    sqsEndpoint: config.sqsEndpoint,
    retry: { baseSeconds: config.retryBaseSeconds, maxSeconds: config.retryMaxSeconds },
    now,
  };

  const handle = async (item: Parsed): Promise<RecordOutcome> => {
    const { record } = item;
    const recordLog = log.child({ messageId: record.messageId });
    if ('error' in item) return routeFailure(routing, record, jobIdOf(record.body), item.error, recordLog);
    const { job } = item;
    const jobLog = recordLog.child({ jobId: job.id });
    const first = firstCopy.get(job.id);
    if (first !== undefined && first !== item) {
      const firstMessageId = first.record.messageId;
      // Racing the first copy for the claim would only fail with E_JOB_IN_PROGRESS: wait instead.
      return deferRecord(routing, record, job.id, { code: 'E_JOB_DUPLICATE_IN_BATCH', reason: `Job ${job.id} is also in this batch (message ${firstMessageId}).`, fields: { firstMessageId } }, jobLog);
    }
    try {
      // Render first: a job that cannot be rendered never takes a claim.
      const rendered = renderEmail(job, renderDeps);
      const input = buildSendEmailInput(withDefaultConfigurationSet(job, config.defaultConfigurationSet), rendered.content);
      // Then make sure the send fits in this invocation, before the claim.
      const admitted = admission.admit();
      if (!admitted.admitted) {
        const reason = `Its send slot is ${Math.ceil(admitted.waitMs)} ms away and ${Math.floor(admitted.remainingMs)} ms of the invocation are left.`;
        return await deferRecord(routing, record, job.id, { code: 'E_DEADLINE', reason, fields: { waitMs: Math.ceil(admitted.waitMs), remainingMs: Math.floor(admitted.remainingMs) } }, jobLog);
      }
      let result: Awaited<ReturnType<typeof sendOnce>>;
      try {
        result = await sendOnce({ ses: deps.ses, store, beforeSend: () => admitted.ticket.acquire(), log: jobLog }, job.id, record.messageId, input);
      } finally {
        admitted.ticket.release();
      }
      if (result.status === 'duplicate') return { status: 'duplicate', messageId: record.messageId, jobId: job.id };
      logRendering(jobLog, rendered.report, now());
      const avatarUrls = rendered.report.avatars.map((a) => a.url);
      jobLog.info('email sent', {
        sesMessageId: result.sesMessageId,
        avatars: avatarUrls.length,
        defaultAvatars: rendered.report.avatars.filter((a) => a.source === 'default').length,
        presignedRewritten: rendered.report.rewritten,
        signedUrlsLeft: rendered.report.foreign.length,
        takenOver: result.takenOver,
      });
      return { status: 'sent', messageId: record.messageId, jobId: job.id, sesMessageId: result.sesMessageId, avatarUrls, rewritten: rendered.report.rewritten, takenOver: result.takenOver };
    } catch (thrown) {
      return routeFailure(routing, record, job.id, asPipelineError(thrown), jobLog);
    }
  };

  const outcomes = await mapConcurrent(parsed, config.sendConcurrency, handle);
  const count = (status: RecordOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  log.info('batch done', {
    records: outcomes.length,
    sent: count('sent'),
    duplicates: count('duplicate'),
    deadLettered: count('dead-lettered'),
    retried: count('retry'),
    deferred: count('deferred'),
    manifestsRead: lookup.size,
    ratePerSecond: pacing.pacer.ratePerSecond,
  });
  return {
    batchItemFailures: outcomes.filter((o) => o.status === 'retry' || o.status === 'deferred').map((o) => ({ itemIdentifier: o.messageId })),
    outcomes,
    sent: outcomes.filter((o): o is SentRecord => o.status === 'sent'),
  };
}
