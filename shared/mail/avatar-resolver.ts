/**
 * Avatar references -> permanent URLs, from the manifests in S3. A batch collects every reference
 * of every job first and reads each manifest once (`loadManifests`); rendering is then pure.
 *
 * Manifests are keyed by public id (`manifests/<publicId>.json`), so both kinds of reference meet
 * there: a user id is turned into its public id, and a pre-signed `avatars/<publicId>/...` URL
 * already names one.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { type AvatarManifest, parseManifest, pickVariant } from '../avatar/manifest';
import { errorMessage, permanentError, retryableError } from '../errors';
import { manifestKey, publicIdFor, type PublicIdScheme } from '../keys';
import { getObjectText } from '../s3-io';

export type AvatarTarget = { by: 'user'; userId: string } | { by: 'publicId'; publicId: string };

export interface AvatarRequest {
  target: AvatarTarget;
  size: number | undefined;
}

export type ManifestEntry =
  | { status: 'found'; manifest: AvatarManifest }
  | { status: 'missing' }
  /** Not JSON or not our schema: the user gets the default avatar, and we log it. */
  | { status: 'unreadable'; reason: string }
  /** S3 failed: the mail waits (retryable) rather than going out with a wrong picture. */
  | { status: 'unavailable'; reason: string };

export type ManifestLookup = ReadonlyMap<string, ManifestEntry>;

export interface AvatarUrlDeps {
  publicId: PublicIdScheme;
  defaultAvatarSize: number;
  /** The one seam to the delivery strategy (public URL today, CloudFront signing later). */
  urlFor: (key: string) => string;
  defaultAvatarUrl: string;
}

export type DefaultReason = 'no-manifest' | 'no-avatar' | 'rejected' | 'unreadable-manifest';

export type AvatarResolution =
  | { source: 'current'; url: string; publicId: string }
  | { source: 'default'; url: string; publicId: string; reason: DefaultReason };

export function publicIdOfTarget(target: AvatarTarget, scheme: PublicIdScheme): string {
  switch (target.by) {
    case 'user':
      return publicIdFor(target.userId, scheme);
    case 'publicId':
      return target.publicId;
    default: {
      const unreachable: never = target;
      throw new Error(`unknown avatar target ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Reads each distinct manifest once, concurrently; a failure is recorded per manifest, never thrown. */
export async function loadManifests(s3: S3Client, bucket: string, publicIds: Iterable<string>): Promise<ManifestLookup> {
  const unique = [...new Set(publicIds)];
  const entries = await Promise.all(
    unique.map(async (publicId): Promise<[string, ManifestEntry]> => {
      let text: string | undefined;
      try {
        text = await getObjectText(s3, bucket, manifestKey(publicId));
      } catch (error) {
        return [publicId, { status: 'unavailable', reason: errorMessage(error) }];
      }
      if (text === undefined) return [publicId, { status: 'missing' }];
      try {
        return [publicId, { status: 'found', manifest: parseManifest(text) }];
      } catch (error) {
        return [publicId, { status: 'unreadable', reason: errorMessage(error) }];
      }
    }),
  );
  return new Map(entries);
}

/** The URL for one reference: the user's current variant, else the default avatar. Never blank. */
export function resolveAvatar(lookup: ManifestLookup, deps: AvatarUrlDeps, request: AvatarRequest): AvatarResolution {
  const publicId = publicIdOfTarget(request.target, deps.publicId);
  const entry = lookup.get(publicId);
  if (entry === undefined) {
    // Requests come from the same walk as rendering (render.ts), so this is a bug, not an S3 fault:
    // retrying would loop until the DLQ with the same result.
    throw permanentError('E_INTERNAL_AVATAR_NOT_LOOKED_UP', `Internal error: the manifest of ${publicId} was not looked up before rendering.`);
  }
  const fallback = (reason: DefaultReason): AvatarResolution => ({ source: 'default', url: deps.defaultAvatarUrl, publicId, reason });
  switch (entry.status) {
    case 'unavailable':
      throw retryableError('E_MANIFEST_UNAVAILABLE', `Could not read the manifest of ${publicId}: ${entry.reason}`);
    case 'missing':
      return fallback('no-manifest');
    case 'unreadable':
      return fallback('unreadable-manifest');
    case 'found': {
      const { current, lastRejection } = entry.manifest;
      if (current === null) return fallback(lastRejection === null ? 'no-avatar' : 'rejected');
      const variant = pickVariant(current, request.size ?? deps.defaultAvatarSize);
      if (variant === undefined) return fallback('no-avatar');
      return { source: 'current', url: deps.urlFor(variant.key), publicId };
    }
    default: {
      const unreachable: never = entry;
      throw new Error(`unknown manifest entry ${JSON.stringify(unreachable)}`);
    }
  }
}
