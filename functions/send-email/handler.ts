/** SQS email jobs -> SES v2 SendEmail, with permanent avatar URLs. Glue only: see shared/mail/. */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSEvent } from 'aws-lambda';
import { loadSendConfig } from '../../shared/config';
import { createLogger } from '../../shared/log';
import { processSqsEvent } from '../../shared/mail/process-sqs-event';
import { createSesClient } from '../../shared/mail/ses-client';
import { SendPacer } from '../../shared/mail/send-pacer';
import { SendRateSource } from '../../shared/mail/send-rate';
import { avatarUrlStrategyForLambda } from '../../shared/urls/lambda-strategy';

const config = loadSendConfig(process.env);
const s3 = new S3Client({});
const sqs = new SQSClient({});
const ses = createSesClient(config);
// Across invocations of this instance: the rate holds over batches, GetAccount is asked rarely.
const pacing = { pacer: new SendPacer(1), rate: new SendRateSource(ses, { maxSendRate: config.maxSendRate, instances: config.sendInstances }) };
const baseLog = createLogger({ fn: 'send-email' });

export const handler = middy(async (event: SQSEvent, context: Context) => {
  // Built on the first batch (cloudfront-signed reads its key from SSM), then kept for the container.
  const urls = await avatarUrlStrategyForLambda(config.delivery);
  const log = baseLog.child({ requestId: context.awsRequestId });
  // Sends that would end too close to the timeout are deferred rather than killed mid-batch.
  const remainingTimeMs = typeof context.getRemainingTimeInMillis === 'function' ? () => context.getRemainingTimeInMillis() : undefined;
  return processSqsEvent({ s3, ses, sqs, config, pacing, urlFor: urls.urlFor, log, remainingTimeMs }, event);
});
