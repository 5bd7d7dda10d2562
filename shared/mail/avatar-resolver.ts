/** User id -> permanent avatar URL, from the manifests in S3. */
import type { S3Client } from '@aws-sdk/client-s3';
import { type AvatarManifest, parseManifest, pickVariant } from '../avatar/manifest';
import { manifestKey, publicIdFor, type PublicIdScheme } from '../keys';
import { getObjectText } from '../s3-io';
import { permanentUrl } from '../urls/public-url';

export interface AvatarResolverConfig {
  avatarBucket: string;
  avatarBaseUrl: string;
  publicId: PublicIdScheme;
  defaultAvatarSize: number;
}

export type ManifestLookup = ReadonlyMap<string, AvatarManifest | undefined>;

export async function loadManifests(s3: S3Client, config: AvatarResolverConfig, userIds: Iterable<string>): Promise<ManifestLookup> {
  const unique = [...new Set(userIds)];
  const entries = await Promise.all(
    unique.map(async (userId): Promise<[string, AvatarManifest | undefined]> => {
      const text = await getObjectText(s3, config.avatarBucket, manifestKey(publicIdFor(userId, config.publicId)));
      return [userId, text === undefined ? undefined : parseManifest(text)];
    }),
  );
  return new Map(entries);
}

/** The URL for one placeholder, or undefined when the user has no published avatar. */
export function avatarUrlFrom(
  manifests: ManifestLookup,
  config: AvatarResolverConfig,
  userId: string,
  size: number | undefined,
): string | undefined {
  const current = manifests.get(userId)?.current;
  if (!current) return undefined;
  const variant = pickVariant(current, size ?? config.defaultAvatarSize);
  return variant === undefined ? undefined : permanentUrl(config.avatarBaseUrl, variant.key);
}
