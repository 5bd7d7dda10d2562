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
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SendConfig } from '../config';
import { asPipelineError, type PipelineError } from '../errors';
import type { IdempotencyStore } from '../idempotency';
import type { Logger } from '../log';
import { permanentUrl } from '../urls/public-url';
import { loadManifests, publicIdOfTarget } from './avatar-resolver';
import { type FailureOutcome, type FailureRoutingDeps, routeFailure } from './failure-routing';
import { type EmailJob, jobIdOf, parseEmailJob } from './job';
import { avatarRequestsOf, type RenderDeps, type RenderReport, renderEmail } from './render';
import { buildSendEmailInput, withDefaultConfigurationSet } from './ses-request';
import { sendOnce } from './send-once';
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
    try {
      // Render first: a job that cannot be rendered never takes a claim.
      const rendered = renderEmail(job, renderDeps);
      const input = buildSendEmailInput(withDefaultConfigurationSet(job, config.defaultConfigurationSet), rendered.content);
      const result = await sendOnce({ ses: deps.ses, store, beforeSend: () => pacing.pacer.acquire(), log: jobLog }, job.id, record.messageId, input);
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
    manifestsRead: lookup.size,
    ratePerSecond: pacing.pacer.ratePerSecond,
  });
  return {
    batchItemFailures: outcomes.filter((o) => o.status === 'retry').map((o) => ({ itemIdentifier: o.messageId })),
    outcomes,
    sent: outcomes.filter((o): o is SentRecord => o.status === 'sent'),
  };
}
