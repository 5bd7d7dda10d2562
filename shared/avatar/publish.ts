/**
 * Publishes one upload: read the original, normalize it, write every variant, then the manifest.
 * The manifest goes last, so nothing ever points at a variant that does not exist yet.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { NormalizeConfig } from '../config';
import { isPipelineError, permanentError, type PipelineError } from '../errors';
import { normalizeImage } from '../image/normalize';
import { contentTypeFor, manifestKey, publicIdFor, variantKey } from '../keys';
import type { Logger } from '../log';
import { getObjectBytes, getObjectText, putObject } from '../s3-io';
import {
  type AvatarManifest,
  type AvatarVersion,
  emptyManifest,
  parseManifest,
  withCurrentVersion,
  withRejection,
} from './manifest';

/** Published variants never change (content-addressed), so caches may keep them for a year. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export interface PublishDeps {
  s3: S3Client;
  config: NormalizeConfig;
  log: Logger;
  now?: () => Date;
}

export interface UploadRef {
  bucket: string;
  key: string;
  userId: string;
  sequencer: string;
}

export type PublishOutcome =
  | { status: 'published'; userId: string; sourceKey: string; version: AvatarVersion }
  | { status: 'unchanged'; userId: string; sourceKey: string; version: AvatarVersion }
  | { status: 'rejected'; userId: string; sourceKey: string; code: string; message: string };

async function readManifest(s3: S3Client, bucket: string, userId: string, publicId: string, now: string): Promise<AvatarManifest> {
  const text = await getObjectText(s3, bucket, manifestKey(publicId));
  return text === undefined ? emptyManifest(userId, publicId, now) : parseManifest(text);
}

async function writeManifest(s3: S3Client, bucket: string, manifest: AvatarManifest): Promise<void> {
  await putObject(s3, {
    Bucket: bucket,
    Key: manifestKey(manifest.publicId),
    Body: `${JSON.stringify(manifest, null, 2)}\n`,
    ContentType: 'application/json',
    CacheControl: 'no-store',
  });
}

export async function publishUpload(deps: PublishDeps, upload: UploadRef): Promise<PublishOutcome> {
  const { s3, config, log } = deps;
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const publicId = publicIdFor(upload.userId, config.publicId);
  const base = { userId: upload.userId, sourceKey: upload.key };

  const original = await getObjectBytes(s3, upload.bucket, upload.key);
  if (original === undefined) {
    // Deleted (or replaced) before we got to it: nothing to publish, nothing to retry.
    throw permanentError('E_GONE', `The upload ${upload.key} no longer exists.`);
  }

  let normalized;
  try {
    normalized = await normalizeImage(original, config.image);
  } catch (error) {
    if (!isPipelineError(error) || error.kind !== 'permanent') throw error;
    return recordRejection(deps, upload, publicId, error, now);
  }

  const manifest = await readManifest(s3, upload.bucket, upload.userId, publicId, now);
  if (manifest.current?.contentHash === normalized.contentHash) {
    log.info('avatar unchanged', { ...base, contentHash: normalized.contentHash });
    return { status: 'unchanged', ...base, version: manifest.current };
  }

  const version: AvatarVersion = {
    contentHash: normalized.contentHash,
    sourceKey: upload.key,
    sequencer: upload.sequencer,
    createdAt: now,
    source: normalized.source,
    variants: [],
  };
  for (const variant of normalized.variants) {
    const key = variantKey(publicId, normalized.contentHash, variant.size, variant.format);
    await putObject(s3, {
      Bucket: upload.bucket,
      Key: key,
      Body: variant.body,
      ContentType: contentTypeFor(variant.format),
      CacheControl: IMMUTABLE_CACHE_CONTROL,
    });
    version.variants.push({
      size: variant.size,
      format: variant.format,
      key,
      width: variant.width,
      height: variant.height,
      bytes: variant.body.length,
    });
  }
  await writeManifest(s3, upload.bucket, withCurrentVersion(manifest, version, now));
  log.info('avatar published', { ...base, contentHash: version.contentHash, keys: version.variants.map((v) => v.key) });
  return { status: 'published', ...base, version };
}

async function recordRejection(
  deps: PublishDeps,
  upload: UploadRef,
  publicId: string,
  error: PipelineError,
  now: string,
): Promise<PublishOutcome> {
  const manifest = await readManifest(deps.s3, upload.bucket, upload.userId, publicId, now);
  const rejection = { code: error.code, message: error.message, sourceKey: upload.key, at: now };
  await writeManifest(deps.s3, upload.bucket, withRejection(manifest, rejection, now));
  deps.log.warn('avatar rejected', { userId: upload.userId, key: upload.key, code: error.code, reason: error.message });
  return { status: 'rejected', userId: upload.userId, sourceKey: upload.key, code: error.code, message: error.message };
}
