/**
 * Right to erasure: every published variant and the manifest of one user go, and (with a
 * CloudFront distribution configured) the edge caches are invalidated for the user's prefix.
 * The manifest is deleted first, so no reader is ever sent to a variant that is already gone.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { NormalizeConfig } from '../config';
import { avatarPrefixFor, manifestKey, publicIdFor, UPLOADS_PREFIX } from '../keys';
import type { Logger } from '../log';
import { invalidateAvatarPrefix } from './invalidate';
import { deleteKeys, listKeys } from './s3-objects';

export interface EraseDeps {
  s3: S3Client;
  config: NormalizeConfig;
  log: Logger;
  /** Needed only when `config.cloudFrontDistributionId` is set. */
  cloudfront?: CloudFrontClient;
}

export interface EraseRequest {
  bucket: string;
  userId: string;
  /** Identifies the trigger (event sequencer or job id): makes the invalidation idempotent. */
  reference: string;
  /**
   * For ObjectRemoved events: erase only when no upload of the user remains. Apps that replace
   * an avatar upload the new file and delete the old one; that delete must not wipe the new avatar.
   */
  onlyIfNoUploadsLeft: boolean;
}

export type EraseOutcome =
  | { status: 'erased'; userId: string; deleted: number; invalidationId: string | undefined }
  | { status: 'kept'; userId: string; reason: string };

export async function eraseUserAvatars(deps: EraseDeps, request: EraseRequest): Promise<EraseOutcome> {
  const { s3, config, log } = deps;
  const { bucket, userId } = request;
  if (request.onlyIfNoUploadsLeft) {
    const remaining = await listKeys(s3, bucket, `${UPLOADS_PREFIX}${userId}/`, 1);
    if (remaining.length > 0) {
      log.info('avatar kept: the user still has uploads', { userId, remaining: remaining[0] });
      return { status: 'kept', userId, reason: 'other uploads of this user remain' };
    }
  }
  const publicId = publicIdFor(userId, config.publicId);
  await deleteKeys(s3, bucket, [manifestKey(publicId)]);
  const variants = await listKeys(s3, bucket, avatarPrefixFor(publicId));
  await deleteKeys(s3, bucket, variants);

  let invalidationId: string | undefined;
  const distributionId = config.cloudFrontDistributionId;
  if (distributionId !== undefined) {
    if (deps.cloudfront === undefined) throw new Error('CLOUDFRONT_DISTRIBUTION_ID is set but no CloudFront client was given');
    invalidationId = await invalidateAvatarPrefix(deps.cloudfront, { distributionId, publicId, callerReference: `erase-${publicId}-${request.reference}` });
  }
  log.info('avatars erased', { userId, publicId, deleted: variants.length, invalidationId });
  return { status: 'erased', userId, deleted: variants.length, invalidationId };
}
