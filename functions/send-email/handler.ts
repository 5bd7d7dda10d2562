/** SQS email jobs -> SES v2 SendEmail, with avatar placeholders replaced by permanent URLs. */
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import middy from '@middy/core';
import type { Context, SQSEvent } from 'aws-lambda';
import { loadSendConfig } from '../../shared/config';
import { createLogger } from '../../shared/log';
import { processSqsEvent } from '../../shared/mail/process-sqs-event';

const config = loadSendConfig(process.env);
const s3 = new S3Client({});
const ses = new SESv2Client({});
const baseLog = createLogger({ fn: 'send-email' });

export const handler = middy(async (event: SQSEvent, context: Context) =>
  processSqsEvent({ s3, ses, config, log: baseLog.child({ requestId: context.awsRequestId }) }, event),
);
