/**
 * SQS batch -> one mail per record. Failed records are reported by messageId so only they return
 * to the queue (needs `ReportBatchItemFailures` on the event source mapping).
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { SendConfig } from '../config';
import { asPipelineError } from '../errors';
import type { Logger } from '../log';
import { loadManifests } from './avatar-resolver';
import { parseEmailJob } from './job';
import { avatarUserIds, renderEmail } from './render';
import { sendRenderedEmail } from './ses-send';

export interface SendDeps {
  s3: S3Client;
  ses: SESv2Client;
  config: SendConfig;
  log: Logger;
}

export interface SentRecord {
  messageId: string;
  jobId: string;
  sesMessageId: string;
  avatarUrls: string[];
}

export async function sendOneRecord(deps: SendDeps, body: string): Promise<Omit<SentRecord, 'messageId'>> {
  const job = parseEmailJob(body);
  const manifests = await loadManifests(deps.s3, deps.config, avatarUserIds(job));
  const email = renderEmail(job, manifests, deps.config);
  const sesMessageId = await sendRenderedEmail(deps.ses, job, email);
  return { jobId: job.id, sesMessageId, avatarUrls: email.avatarUrls };
}

export async function processSqsEvent(deps: SendDeps, event: SQSEvent): Promise<SQSBatchResponse & { sent: SentRecord[] }> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  const sent: SentRecord[] = [];
  for (const record of event.Records) {
    const log = deps.log.child({ messageId: record.messageId });
    try {
      const result = await sendOneRecord({ ...deps, log }, record.body);
      sent.push({ messageId: record.messageId, ...result });
      log.info('email sent', { jobId: result.jobId, sesMessageId: result.sesMessageId, avatars: result.avatarUrls.length });
    } catch (thrown) {
      const error = asPipelineError(thrown);
      log.error('email not sent', { code: error.code, kind: error.kind, reason: error.message });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures, sent };
}
