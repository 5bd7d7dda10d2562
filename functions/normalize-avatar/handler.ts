/**
 * S3 `ObjectCreated` on `uploads/` -> normalized avatars under `avatars/` + a manifest;
 * S3 `ObjectRemoved` on `uploads/` (or a direct `erase-user` job) -> the user's avatars are erased.
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { Context, S3Event } from 'aws-lambda';
import { eraseUserAvatars } from '../../shared/avatar/delete';
import { type EraseUserJob, isEraseUserJob } from '../../shared/avatar/erase-job';
import { processS3Event } from '../../shared/avatar/process-s3-event';
import { loadNormalizeConfig } from '../../shared/config';
import { permanentError } from '../../shared/errors';
import { createLogger } from '../../shared/log';

const config = loadNormalizeConfig(process.env);
const s3 = new S3Client({});
const cloudfront = config.cloudFrontDistributionId === undefined ? undefined : new CloudFrontClient({});
const baseLog = createLogger({ fn: 'normalize-avatar' });

// Also invoked directly with `{"kind": "erase-user", "bucket": "...", "userId": "..."}` (shared/avatar/erase-job.ts).
export const handler = middy(async (event: S3Event | EraseUserJob, context: Context) => {
  const log = baseLog.child({ requestId: context.awsRequestId });
  if ('Records' in event) return processS3Event({ s3, config, log, cloudfront }, event);
  if (!isEraseUserJob(event)) throw permanentError('E_EVENT', 'expected an S3 event or {"kind": "erase-user", "bucket", "userId"}');
  if (config.avatarBucket !== undefined && event.bucket !== config.avatarBucket) {
    throw permanentError('E_EVENT', `erase-user names bucket ${JSON.stringify(event.bucket)}; this deployment's bucket is ${JSON.stringify(config.avatarBucket)}`);
  }
  return eraseUserAvatars({ s3, config, log, cloudfront }, { bucket: event.bucket, userId: event.userId, reference: context.awsRequestId, onlyIfNoUploadsLeft: false });
});
