/**
 * The per-user manifest: the single source of truth for which variants are current.
 * Written only after every variant it names exists, so a reader never follows it to a missing object.
 */
import type { RetentionPolicy } from '../config';
import type { SourceInfo } from '../image/normalize';
import type { VariantFormat } from '../keys';
import { compareEvents } from './ordering';

export interface ManifestVariant {
  size: number;
  format: VariantFormat;
  key: string;
  width: number;
  height: number;
  bytes: number;
}

export interface AvatarVersion {
  contentHash: string;
  /** The upload this version came from, and the S3 sequencer that orders uploads of one user. */
  sourceKey: string;
  sequencer: string;
  /** Time of the upload's S3 event: orders versions when a sequencer is missing. */
  eventTime?: string;
  createdAt: string;
  /** The upload's own format and displayed size (after EXIF orientation). */
  source: SourceInfo;
  variants: ManifestVariant[];
  /** Configured sizes not published because they would upscale the source too much. */
  skippedSizes?: number[];
}

export interface Rejection {
  code: string;
  message: string;
  sourceKey: string;
  at: string;
  /** Position of the rejected upload, so a late older success does not hide a newer rejection. */
  sequencer?: string;
  eventTime?: string;
}

export interface AvatarManifest {
  schemaVersion: 1;
  userId: string;
  publicId: string;
  current: AvatarVersion | null;
  /** Superseded versions stay published so that mails already sent keep their avatar. */
  previous: AvatarVersion[];
  lastRejection: Rejection | null;
  updatedAt: string;
}

export function emptyManifest(userId: string, publicId: string, now: string): AvatarManifest {
  return { schemaVersion: 1, userId, publicId, current: null, previous: [], lastRejection: null, updatedAt: now };
}

export function parseManifest(text: string): AvatarManifest {
  const value = JSON.parse(text) as Partial<AvatarManifest>;
  if (value.schemaVersion !== 1 || typeof value.userId !== 'string' || typeof value.publicId !== 'string') {
    throw new Error('not an evergreen-avatars manifest (schemaVersion 1)');
  }
  return {
    schemaVersion: 1,
    userId: value.userId,
    publicId: value.publicId,
    current: value.current ?? null,
    previous: value.previous ?? [],
    lastRejection: value.lastRejection ?? null,
    updatedAt: value.updatedAt ?? '',
  };
}

/** Makes `version` current; the old current one moves to `previous` (newest first). */
export function withCurrentVersion(manifest: AvatarManifest, version: AvatarVersion, now: string): AvatarManifest {
  const old = manifest.current;
  const previous = old && old.contentHash !== version.contentHash ? [old, ...manifest.previous] : manifest.previous;
  return {
    ...manifest,
    current: version,
    previous: previous.filter((v) => v.contentHash !== version.contentHash),
    lastRejection: rejectionNewerThan(manifest.lastRejection, version),
    updatedAt: now,
  };
}

/** A rejection of an upload made after `version` still concerns the user; an older one is history. */
function rejectionNewerThan(rejection: Rejection | null, version: AvatarVersion): Rejection | null {
  if (rejection === null) return null;
  const position = { sequencer: rejection.sequencer ?? '', eventTime: rejection.eventTime, key: rejection.sourceKey };
  return compareEvents(position, { sequencer: version.sequencer, eventTime: version.eventTime, key: version.sourceKey }) > 0 ? rejection : null;
}

/** Every variant key the manifest points at: these must never be deleted while it exists. */
export function referencedKeys(manifest: AvatarManifest): Set<string> {
  const versions = [...(manifest.current === null ? [] : [manifest.current]), ...manifest.previous];
  return new Set(versions.flatMap((version) => version.variants.map((variant) => variant.key)));
}

/**
 * Drops superseded versions beyond the retention policy. Returns the keys that no kept version
 * uses any more: the caller deletes them only after writing the trimmed manifest.
 */
export function withRetention(manifest: AvatarManifest, policy: RetentionPolicy): { manifest: AvatarManifest; unreferenced: string[] } {
  switch (policy.mode) {
    case 'all':
      return { manifest, unreferenced: [] };
    case 'newest': {
      const kept = { ...manifest, previous: manifest.previous.slice(0, policy.count) };
      const stillUsed = referencedKeys(kept);
      const dropped = manifest.previous.slice(policy.count).flatMap((version) => version.variants.map((variant) => variant.key));
      return { manifest: kept, unreferenced: [...new Set(dropped)].filter((key) => !stillUsed.has(key)) };
    }
    default: {
      const unreachable: never = policy;
      throw new Error(`unknown retention policy ${JSON.stringify(unreachable)}`);
    }
  }
}

export function withRejection(manifest: AvatarManifest, rejection: Rejection, now: string): AvatarManifest {
  return { ...manifest, lastRejection: rejection, updatedAt: now };
}

/**
 * Picks the variant for a requested pixel size: the smallest one at least that large,
 * else the largest there is (never a blurry upscale of a small variant).
 */
export function pickVariant(version: AvatarVersion, requestedSize: number): ManifestVariant | undefined {
  const jpegs = version.variants.filter((v) => v.format === 'jpeg').sort((a, b) => a.size - b.size);
  return jpegs.find((v) => v.size >= requestedSize) ?? jpegs.at(-1);
}
