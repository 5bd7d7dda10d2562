/**
 * SQS batch -> mails. Every record ends in exactly one of four places:
 *   sent           SES accepted it (and the job id is marked sent)
 *   duplicate      this job id was sent before: nothing sent, the record is done
 *   dead-lettered  a permanent failure: copied to the DLQ with the reason, the record is done
 *   retry          a passing failure: reported in batchItemFailures, invisible for a growing while
 * Only `retry` records return to the queue (needs `ReportBatchItemFailures` on the event source).
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SendConfig } from '../config';
import { asPipelineError, errorMessage, type PipelineError, permanentError, retryableError } from '../errors';
import { claimJob, type IdempotencyStore, markSent, releaseClaim } from '../idempotency';
import type { Logger } from '../log';
import { permanentUrl } from '../urls/public-url';
import { loadManifests, publicIdOfTarget } from './avatar-resolver';
import { sendToDeadLetterQueue } from './dead-letter';
import { type EmailJob, jobIdOf, parseEmailJob } from './job';
import { queueUrlFromArn } from './queue-url';
import { avatarRequestsOf, type RenderDeps, renderEmail } from './render';
import { visibilityTimeoutFor } from './retry-policy';
import { buildSendEmailInput } from './ses-request';
import { sendEmail } from './ses-send';
import { mapConcurrent, SendPacer } from './send-pacer';
import { SendRateSource } from './send-rate';

export interface SendDeps {
  s3: S3Client;
  ses: SESv2Client;
  /** For the DLQ and visibility changes; without it failures are only reported in batchItemFailures. */
  sqs?: SQSClient;
  config: SendConfig;
  log: Logger;
  /** Object key -> public URL: the seam where a delivery strategy (CloudFront, signing) plugs in. */
  urlFor?: (key: string) => string;
  /** Kept across invocations by the handler, so the rate holds across batches of one instance. */
  pacing?: { pacer: SendPacer; rate: SendRateSource };
  now?: () => Date;
}

export type RecordOutcome =
  | { status: 'sent'; messageId: string; jobId: string; sesMessageId: string; avatarUrls: string[]; rewritten: number; takenOver: boolean }
  | { status: 'duplicate'; messageId: string; jobId: string }
  | { status: 'dead-lettered'; messageId: string; jobId: string | undefined; code: string; reason: string }
  | { status: 'retry'; messageId: string; jobId: string | undefined; code: string; reason: string; visibilityTimeout: number };

export type SentRecord = Extract<RecordOutcome, { status: 'sent' }>;

export interface BatchResult extends SQSBatchResponse {
  outcomes: RecordOutcome[];
  /** The `sent` outcomes (kept for callers that only care about mails that went out). */
  sent: SentRecord[];
}

type Parsed = { record: SQSRecord; job: EmailJob } | { record: SQSRecord; error: PipelineError };

function parse(record: SQSRecord): Parsed {
  try {
    return { record, job: parseEmailJob(record.body) };
  } catch (error) {
    return { record, error: asPipelineError(error) };
  }
}

export async function processSqsEvent(deps: SendDeps, event: SQSEvent): Promise<BatchResult> {
  const { config, log } = deps;
  const now = deps.now ?? (() => new Date());
  const urlFor = deps.urlFor ?? ((key: string) => permanentUrl(config.avatarBaseUrl, key));
  const presigned = { avatarBucket: config.avatarBucket, customHosts: config.presignedUrlHosts };
  const parsed = event.Records.map(parse);

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

  const changeVisibility = async (record: SQSRecord, seconds: number, recordLog: Logger): Promise<void> => {
    if (deps.sqs === undefined) return;
    try {
      const QueueUrl = queueUrlFromArn(record.eventSourceARN, config.sqsEndpoint);
      await deps.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: seconds }));
    } catch (error) {
      // The message still comes back, after the queue's own visibility timeout.
      recordLog.warn('could not change message visibility', { reason: errorMessage(error), visibilityTimeout: seconds });
    }
  };

  const fail = async (record: SQSRecord, jobId: string | undefined, error: PipelineError, recordLog: Logger): Promise<RecordOutcome> => {
    const base = { messageId: record.messageId, jobId, code: error.code, reason: error.message };
    if (error.kind === 'permanent' && deps.sqs !== undefined && config.dlqUrl !== undefined) {
      try {
        const dlqMessageId = await sendToDeadLetterQueue(deps.sqs, config.dlqUrl, { record, jobId, error, now: now() });
        recordLog.error('email not sent', { outcome: 'dead-lettered', jobId, code: error.code, kind: error.kind, reason: error.message, dlqMessageId });
        return { status: 'dead-lettered', ...base };
      } catch (dlqError) {
        recordLog.error('could not dead-letter; the record stays queued', { jobId, code: error.code, reason: errorMessage(dlqError) });
      }
    }
    const receiveCount = Number(record.attributes.ApproximateReceiveCount);
    const backoff = visibilityTimeoutFor(receiveCount, { baseSeconds: config.retryBaseSeconds, maxSeconds: config.retryMaxSeconds });
    const visibilityTimeout = backoff;
    await changeVisibility(record, visibilityTimeout, recordLog);
    recordLog.error('email not sent', { outcome: 'retry', jobId, code: error.code, kind: error.kind, reason: error.message, receiveCount, visibilityTimeout });
    return { status: 'retry', ...base, visibilityTimeout };
  };

  const handle = async (item: Parsed): Promise<RecordOutcome> => {
    const { record } = item;
    const recordLog = log.child({ messageId: record.messageId });
    if ('error' in item) return fail(record, jobIdOf(record.body), item.error, recordLog);
    const { job } = item;
    const jobLog = recordLog.child({ jobId: job.id });
    try {
      const rendered = renderEmail(job, renderDeps);
      const input = buildSendEmailInput(job, rendered.content);
      const claimed = await claimJob(store, job.id, record.messageId);
      switch (claimed.status) {
        case 'already-sent':
          jobLog.info('duplicate suppressed', { sesMessageId: claimed.record.sesMessageId, firstMessageId: claimed.record.messageId });
          return { status: 'duplicate', messageId: record.messageId, jobId: job.id };
        case 'held': {
          const error = retryableError('E_JOB_IN_PROGRESS', `Another delivery holds job ${job.id} for ${claimed.retryAfterSeconds} s more.`);
          // Usually the holder is a parallel copy about to finish: look again after the normal backoff
          // (not the whole lease), and find the job sent.
          return fail(record, job.id, error, jobLog);
        }
        case 'claimed': {
          await pacing.pacer.acquire();
          let sesMessageId: string;
          try {
            sesMessageId = await sendEmail(deps.ses, input);
          } catch (error) {
            await releaseClaim(store, claimed.claim, errorMessage(error)).catch((releaseError: unknown) =>
              jobLog.warn('could not release claim; it expires with its lease', { reason: errorMessage(releaseError) }),
            );
            throw error;
          }
          try {
            await markSent(store, claimed.claim, sesMessageId);
          } catch (error) {
            // The mail is out: report success so SQS does not redeliver it; only a re-enqueue could duplicate now.
            jobLog.error('sent, but could not mark the job sent', { sesMessageId, reason: errorMessage(error) });
          }
          for (const foreign of rendered.report.foreign) {
            jobLog.warn('signed URL left in mail', {
              location: foreign.location,
              signature: foreign.signature,
              expiresAt: foreign.expiresAt?.toISOString(),
              expired: foreign.expiresAt !== undefined && foreign.expiresAt.getTime() <= now().getTime(),
            });
          }
          const defaulted = rendered.report.avatars.filter((a) => a.source === 'default');
          if (defaulted.length > 0) jobLog.info('default avatar used', { publicIds: defaulted.map((a) => `${a.publicId} (${a.source === 'default' ? a.reason : ''})`) });
          const avatarUrls = rendered.report.avatars.map((a) => a.url);
          jobLog.info('email sent', {
            sesMessageId,
            avatars: avatarUrls.length,
            defaultAvatars: defaulted.length,
            presignedRewritten: rendered.report.rewritten,
            signedUrlsLeft: rendered.report.foreign.length,
            takenOver: claimed.takenOver,
          });
          return { status: 'sent', messageId: record.messageId, jobId: job.id, sesMessageId, avatarUrls, rewritten: rendered.report.rewritten, takenOver: claimed.takenOver };
        }
        default: {
          const unreachable: never = claimed;
          throw permanentError('E_INTERNAL', `unknown claim result ${JSON.stringify(unreachable)}`);
        }
      }
    } catch (thrown) {
      return fail(record, job.id, asPipelineError(thrown), jobLog);
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
    manifestsRead: lookup.size,
    ratePerSecond: pacing.pacer.ratePerSecond,
  });
  return {
    batchItemFailures: outcomes.filter((o) => o.status === 'retry').map((o) => ({ itemIdentifier: o.messageId })),
    outcomes,
    sent: outcomes.filter((o): o is SentRecord => o.status === 'sent'),
  };
}
