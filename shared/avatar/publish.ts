/**
 * Publishes one upload: read the original, normalize it, write every variant, then the manifest.
 *
 * - The manifest goes last, so nothing ever points at a variant that does not exist yet.
 * - Keys are content-addressed (bytes + options), so a re-delivered event is a no-op.
 * - The newer upload wins by S3 sequencer, whatever order the events arrive in.
 * - A failure between variant writes deletes what this attempt wrote: no partial versions.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { NormalizeConfig } from '../config';
import { isPipelineError, permanentError, type PipelineError } from '../errors';
import { type NormalizedImage, normalizeImage } from '../image/normalize';
import { renditionHash } from '../image/rendition-hash';
import { contentTypeFor, publicIdFor, variantKey } from '../keys';
import type { Logger } from '../log';
import { getObjectBytesWithin, IMMUTABLE_CACHE_CONTROL } from '../s3-io';
import { tooLargeRejection } from '../image/limits';
import { type AvatarManifest, type AvatarVersion, referencedKeys, type Rejection, withCurrentVersion, withRejection, withRetention } from './manifest';
import { type ManifestLocation, readManifest, updateManifest } from './manifest-store';
import { compareEvents, type EventPosition } from './ordering';
import { deleteKeys, type PutObjectFn, sendPutObject } from './s3-objects';


export interface PublishDeps {
  s3: S3Client;
  config: NormalizeConfig;
  log: Logger;
  now?: () => Date;
  /** Every S3 write goes through this; tests inject faults here, everything else is the real S3. */
  putObject?: PutObjectFn;
}

export interface UploadRef {
  bucket: string;
  key: string;
  userId: string;
  sequencer: string;
  eventTime?: string;
}

export type PublishOutcome =
  | { status: 'published'; userId: string; sourceKey: string; version: AvatarVersion }
  | { status: 'unchanged'; userId: string; sourceKey: string; version: AvatarVersion }
  | { status: 'superseded'; userId: string; sourceKey: string; currentSourceKey: string }
  | { status: 'rejected'; userId: string; sourceKey: string; code: string; message: string };

interface ManifestDecision {
  superseded: AvatarVersion | undefined;
  /** Variant keys no kept version uses after retention trimmed the history. */
  unreferenced: string[];
}

const positionOf = (upload: UploadRef): EventPosition => ({ sequencer: upload.sequencer, eventTime: upload.eventTime, key: upload.key });
const versionPosition = (version: AvatarVersion): EventPosition => ({ sequencer: version.sequencer, eventTime: version.eventTime, key: version.sourceKey });

/** The current version came from a later upload than this one: this one must not replace it. */
const supersededBy = (manifest: AvatarManifest, upload: UploadRef): AvatarVersion | undefined =>
  manifest.current !== null && compareEvents(versionPosition(manifest.current), positionOf(upload)) > 0 ? manifest.current : undefined;

export async function publishUpload(deps: PublishDeps, upload: UploadRef): Promise<PublishOutcome> {
  const { s3, config, log } = deps;
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const publicId = publicIdFor(upload.userId, config.publicId);
  const base = { userId: upload.userId, sourceKey: upload.key };
  const at: ManifestLocation = { s3, bucket: upload.bucket, userId: upload.userId, publicId, putObject: deps.putObject };

  const read = await getObjectBytesWithin(s3, upload.bucket, upload.key, config.image.maxInputBytes);
  switch (read.status) {
    case 'missing':
      // Deleted (or replaced) before we got to it: nothing to publish, nothing to retry.
      throw permanentError('E_GONE', `The upload ${upload.key} no longer exists.`);
    case 'too-large':
      return recordRejection(deps, at, upload, tooLargeRejection(read.contentLength, config.image.maxInputBytes), now);
    case 'ok':
      break;
    default: {
      const unreachable: never = read;
      throw new Error(`unknown read status ${JSON.stringify(unreachable)}`);
    }
  }
  const original = read.body;

  // Decide from the manifest before paying for a decode: re-deliveries and stale events stop here.
  const contentHash = renditionHash(original, config.image);
  const { manifest } = await readManifest(at, now);
  if (manifest.current?.contentHash === contentHash) {
    log.info('avatar unchanged', { ...base, contentHash });
    return { status: 'unchanged', ...base, version: manifest.current };
  }
  const newer = supersededBy(manifest, upload);
  if (newer !== undefined) {
    log.info('avatar superseded by a newer upload', { ...base, currentSourceKey: newer.sourceKey });
    return { status: 'superseded', ...base, currentSourceKey: newer.sourceKey };
  }

  let normalized: NormalizedImage;
  try {
    normalized = await normalizeImage(original, config.image);
  } catch (error) {
    if (!isPipelineError(error) || error.kind !== 'permanent') throw error;
    return recordRejection(deps, at, upload, error, now);
  }

  const version = await writeVariants(deps, upload, publicId, normalized, now, referencedKeys(manifest));
  const outcome = await updateManifest<ManifestDecision>(at, now, (latest) => {
    const winner = supersededBy(latest, upload);
    if (winner !== undefined) return { write: undefined, result: { superseded: winner, unreferenced: [] } };
    const retained = withRetention(withCurrentVersion(latest, version, now), config.retention);
    return { write: retained.manifest, result: { superseded: undefined, unreferenced: retained.unreferenced } };
  });

  if (outcome.superseded !== undefined) {
    // A newer upload won while we were encoding: our variants are referenced by nobody.
    const { manifest: latest } = await readManifest(at, now);
    const used = referencedKeys(latest);
    await deleteKeys(s3, upload.bucket, version.variants.map((v) => v.key).filter((key) => !used.has(key)));
    log.info('avatar superseded by a newer upload', { ...base, currentSourceKey: outcome.superseded.sourceKey });
    return { status: 'superseded', ...base, currentSourceKey: outcome.superseded.sourceKey };
  }
  if (outcome.unreferenced.length > 0) {
    // Only after the trimmed manifest is written: until then it still pointed at these.
    await deleteKeys(s3, upload.bucket, outcome.unreferenced);
    log.info('superseded versions deleted by retention', { ...base, deleted: outcome.unreferenced.length });
  }
  log.info('avatar published', { ...base, contentHash: version.contentHash, keys: version.variants.map((v) => v.key) });
  return { status: 'published', ...base, version };
}

/**
 * Writes every variant; if any write fails, deletes the ones this attempt wrote (except keys an
 * existing version already uses) before rethrowing, so a crash never leaves half a version.
 */
async function writeVariants(
  deps: PublishDeps,
  upload: UploadRef,
  publicId: string,
  normalized: NormalizedImage,
  now: string,
  alreadyReferenced: ReadonlySet<string>,
): Promise<AvatarVersion> {
  const put = deps.putObject ?? sendPutObject;
  const version: AvatarVersion = {
    contentHash: normalized.contentHash,
    sourceKey: upload.key,
    sequencer: upload.sequencer,
    ...(upload.eventTime === undefined ? {} : { eventTime: upload.eventTime }),
    createdAt: now,
    source: normalized.source,
    variants: [],
    skippedSizes: normalized.skippedSizes,
  };
  const written: string[] = [];
  try {
    for (const variant of normalized.variants) {
      const key = variantKey(publicId, normalized.contentHash, variant.size, variant.format);
      await put(deps.s3, {
        Bucket: upload.bucket,
        Key: key,
        Body: variant.body,
        ContentType: contentTypeFor(variant.format),
        CacheControl: IMMUTABLE_CACHE_CONTROL,
      });
      written.push(key);
      version.variants.push({ size: variant.size, format: variant.format, key, width: variant.width, height: variant.height, bytes: variant.body.length });
    }
  } catch (error) {
    const orphans = written.filter((key) => !alreadyReferenced.has(key));
    await deleteKeys(deps.s3, upload.bucket, orphans).catch((cleanupError: unknown) => {
      deps.log.error('could not remove partial variants', { userId: upload.userId, key: upload.key, orphans, reason: String(cleanupError) });
    });
    deps.log.warn('variant write failed; partial variants removed', { userId: upload.userId, key: upload.key, removed: orphans.length });
    throw error;
  }
  return version;
}

async function recordRejection(deps: PublishDeps, at: ManifestLocation, upload: UploadRef, error: PipelineError, now: string): Promise<PublishOutcome> {
  // One line per rejection with everything support needs: the code, the object and the user.
  deps.log.warn('avatar rejected', { userId: upload.userId, key: upload.key, code: error.code, reason: error.message });
  const rejection: Rejection = {
    code: error.code,
    message: error.message,
    sourceKey: upload.key,
    at: now,
    sequencer: upload.sequencer,
    ...(upload.eventTime === undefined ? {} : { eventTime: upload.eventTime }),
  };
  await updateManifest(at, now, (latest) => {
    const previous = latest.lastRejection;
    const olderThanCurrent = supersededBy(latest, upload) !== undefined;
    const olderThanLastRejection =
      previous !== null && compareEvents({ sequencer: previous.sequencer ?? '', eventTime: previous.eventTime, key: previous.sourceKey }, positionOf(upload)) > 0;
    // A stale rejection (a newer upload already succeeded or failed) would only confuse the user.
    return { write: olderThanCurrent || olderThanLastRejection ? undefined : withRejection(latest, rejection, now), result: undefined };
  });
  return { status: 'rejected', userId: upload.userId, sourceKey: upload.key, code: error.code, message: error.message };
}
