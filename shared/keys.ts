/**
 * The one place that knows the bucket layout. Prefix discipline keeps the upload trigger from
 * ever reacting to its own writes: it listens on `uploads/` and writes only elsewhere.
 *
 *   uploads/<userId>/<file>                         originals from the app (private)
 *   avatars/<publicId>/<contentHash>/<size>.<ext>   published variants (the only readable prefix)
 *   manifests/<publicId>.json                       which variants are current (private)
 *   idempotency/<jobId>.json                        send claims (private)
 */
import { createHmac } from 'node:crypto';

export const UPLOADS_PREFIX = 'uploads/';
export const AVATARS_PREFIX = 'avatars/';
export const MANIFESTS_PREFIX = 'manifests/';
export const IDEMPOTENCY_PREFIX = 'idempotency/';

export const PLAIN_ID_PREFIX = 'u-';

export type PublicIdScheme = { mode: 'hmac'; secret: string } | { mode: 'plain' };

export interface UploadKey {
  userId: string;
  fileName: string;
}

/** `uploads/<userId>/<file...>` -> user and file; anything else is not an upload. */
export function parseUploadKey(key: string): UploadKey | undefined {
  if (!key.startsWith(UPLOADS_PREFIX)) return undefined;
  const rest = key.slice(UPLOADS_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const userId = rest.slice(0, slash);
  const fileName = rest.slice(slash + 1);
  if (fileName === '' || fileName.endsWith('/')) return undefined;
  return { userId, fileName };
}

/**
 * The id that appears in public URLs. `hmac` makes it unguessable and not enumerable from user
 * ids; `plain` is readable, `u-<URL-encoded user id>` (for apps whose user ids are already opaque).
 */
export function publicIdFor(userId: string, scheme: PublicIdScheme): string {
  switch (scheme.mode) {
    case 'hmac':
      return createHmac('sha256', scheme.secret).update(userId, 'utf8').digest('hex').slice(0, 32);
    case 'plain':
      // The `u-` prefix keeps readable ids out of the project's own names (`avatars/default/`) and
      // makes `.`/`..` impossible as a path segment.
      return `${PLAIN_ID_PREFIX}${encodeURIComponent(userId)}`;
    default: {
      const unreachable: never = scheme;
      throw new Error(`unknown public id scheme ${JSON.stringify(unreachable)}`);
    }
  }
}

export type VariantFormat = 'jpeg' | 'png';

export const extensionFor = (format: VariantFormat): string => (format === 'jpeg' ? 'jpg' : 'png');
export const contentTypeFor = (format: VariantFormat): string => (format === 'jpeg' ? 'image/jpeg' : 'image/png');

export function variantKey(publicId: string, contentHash: string, size: number, format: VariantFormat): string {
  return `${AVATARS_PREFIX}${publicId}/${contentHash}/${size}.${extensionFor(format)}`;
}

/** A key readers may be sent to: under avatars/, with no empty, `.` or `..` segment. */
export function isPublicAvatarKey(key: string): boolean {
  if (!key.startsWith(AVATARS_PREFIX)) return false;
  return key.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

export const avatarPrefixFor = (publicId: string): string => `${AVATARS_PREFIX}${publicId}/`;

export const manifestKey = (publicId: string): string => `${MANIFESTS_PREFIX}${publicId}.json`;

export const idempotencyKey = (jobId: string): string => `${IDEMPOTENCY_PREFIX}${encodeURIComponent(jobId)}.json`;
