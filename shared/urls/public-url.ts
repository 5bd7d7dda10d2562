/**
 * Permanent URL of a published object: a base URL (bucket website-less S3 endpoint, CloudFront
 * domain, or the local avatar edge) plus the object key. No query string, no expiry.
 */
import { type AvatarUrlStrategy, encodeKeyPath } from './strategy';

export function permanentUrl(baseUrl: string, key: string): string {
  return `${baseUrl}${encodeKeyPath(key)}`;
}

/** deliveryMode=public: the S3 virtual-hosted URL (or a configured base URL) of the key. */
export function publicUrlStrategy(baseUrl: string): AvatarUrlStrategy {
  return { mode: 'public', urlFor: (key) => permanentUrl(baseUrl, key) };
}
