/**
 * Reading and writing the per-user manifest with compare-and-swap: every write is conditional
 * on the ETag that was read (or on the manifest not existing yet), so two invocations for one
 * user can never silently overwrite each other; the loser re-reads and decides again.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { retryableError } from '../errors';
import { manifestKey } from '../keys';
import { type AvatarManifest, emptyManifest, parseManifest } from './manifest';
import { getObjectWithEtag, isWriteConflict, type PutObjectFn, sendPutObject } from './s3-objects';

export interface StoredManifest {
  manifest: AvatarManifest;
  /** Absent when no manifest exists yet. */
  etag: string | undefined;
}

export interface ManifestLocation {
  s3: S3Client;
  bucket: string;
  userId: string;
  publicId: string;
  putObject?: PutObjectFn;
}

export async function readManifest(at: ManifestLocation, now: string): Promise<StoredManifest> {
  const stored = await getObjectWithEtag(at.s3, at.bucket, manifestKey(at.publicId));
  if (stored === undefined) return { manifest: emptyManifest(at.userId, at.publicId, now), etag: undefined };
  return { manifest: parseManifest(stored.body.toString('utf8')), etag: stored.etag };
}

/** Throws the SDK's 412/409 error on a lost race; callers use `updateManifest` to retry. */
export async function writeManifest(at: ManifestLocation, manifest: AvatarManifest, etag: string | undefined): Promise<void> {
  await (at.putObject ?? sendPutObject)(at.s3, {
    Bucket: at.bucket,
    Key: manifestKey(manifest.publicId),
    Body: `${JSON.stringify(manifest, null, 2)}\n`,
    ContentType: 'application/json',
    CacheControl: 'no-store',
    ...(etag === undefined ? { IfNoneMatch: '*' } : { IfMatch: etag }),
  });
}

const MAX_ATTEMPTS = 5;

/**
 * Read-decide-write until the conditional write wins. `decide` sees the latest manifest and
 * returns the new one, or `undefined` to write nothing (e.g. a newer upload already won).
 */
export async function updateManifest<T>(
  at: ManifestLocation,
  now: string,
  decide: (manifest: AvatarManifest) => { write: AvatarManifest | undefined; result: T },
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const stored = await readManifest(at, now);
    const { write, result } = decide(stored.manifest);
    if (write === undefined) return result;
    try {
      await writeManifest(at, write, stored.etag);
      return result;
    } catch (error) {
      if (!isWriteConflict(error)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw retryableError('E_MANIFEST_CONFLICT', `manifest ${manifestKey(at.publicId)} kept changing under us`, error);
    }
  }
}
