/**
 * The per-user manifest: the single source of truth for which variants are current.
 * Written only after every variant it names exists, so a reader never follows it to a missing object.
 */
import type { VariantFormat } from '../keys';
import type { SourceInfo } from '../image/normalize';

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
  createdAt: string;
  source: SourceInfo;
  variants: ManifestVariant[];
}

export interface Rejection {
  code: string;
  message: string;
  sourceKey: string;
  at: string;
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
    lastRejection: null,
    updatedAt: now,
  };
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
