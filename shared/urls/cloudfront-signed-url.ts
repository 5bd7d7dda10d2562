/**
 * deliveryMode=cloudfront-signed: CloudFront signed URLs (canned policy, trusted key group).
 * CloudFront documents no maximum lifetime, so a mail's avatar can stay valid for years, unlike an
 * S3 pre-signed URL (7 days at most, less with role credentials).
 */
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { permanentUrl } from './public-url';
import type { AvatarUrlStrategy } from './strategy';

export interface SignedUrlOptions {
  /** `https://<domain>/`, ending in `/`. */
  baseUrl: string;
  /** The CloudFront public key id (the key group's member), sent as `Key-Pair-Id`. */
  keyPairId: string;
  /** PEM of the RSA private key; held in memory only, never logged. */
  privateKey: string;
  expiryYears: number;
  now?: () => Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Expiry = the start of today (UTC) + N years: every mail signed on the same day gets the very same
 * URL for the same key, so image proxies (Gmail, Apple) and CloudFront can cache it.
 */
export function signedUrlExpiry(now: Date, expiryYears: number): Date {
  const startOfDay = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  startOfDay.setUTCFullYear(startOfDay.getUTCFullYear() + expiryYears);
  return startOfDay;
}

export function cloudfrontSignedUrlStrategy(options: SignedUrlOptions): AvatarUrlStrategy {
  const now = options.now ?? (() => new Date());
  return {
    mode: 'cloudfront-signed',
    urlFor: (key) =>
      getSignedUrl({
        url: permanentUrl(options.baseUrl, key),
        keyPairId: options.keyPairId,
        privateKey: options.privateKey,
        dateLessThan: signedUrlExpiry(now(), options.expiryYears),
      }),
  };
}
