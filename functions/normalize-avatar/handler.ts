/** S3 `ObjectCreated` on `uploads/` -> normalized avatars under `avatars/` + a manifest. */
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { Context, S3Event } from 'aws-lambda';
import { processS3Event } from '../../shared/avatar/process-s3-event';
import { loadNormalizeConfig } from '../../shared/config';
import { createLogger } from '../../shared/log';

const config = loadNormalizeConfig(process.env);
const s3 = new S3Client({});
const baseLog = createLogger({ fn: 'normalize-avatar' });

export const handler = middy(async (event: S3Event, context: Context) =>
  processS3Event({ s3, config, log: baseLog.child({ requestId: context.awsRequestId }) }, event),
);
