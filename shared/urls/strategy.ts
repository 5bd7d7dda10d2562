/**
 * One URL strategy per delivery mode. The send path only ever asks "what URL does a reader use for
 * this published key?"; whether that is a public S3 URL, a CloudFront URL or a signed CloudFront URL
 * is decided once per cold start from config.
 */
export const DELIVERY_MODES = ['public', 'cloudfront', 'cloudfront-signed'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

export interface AvatarUrlStrategy {
  readonly mode: DeliveryMode;
  /** The URL a mail reader fetches for a published key (`avatars/...`). Pure and synchronous. */
  urlFor(key: string): string;
}

/** `avatars/a b/1.jpg` -> `avatars/a%20b/1.jpg`: each segment encoded, the slashes kept. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
