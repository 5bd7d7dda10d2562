/**
 * Permanent URL of a published object: a base URL (bucket website-less S3 endpoint, CloudFront
 * domain, or the local avatar edge) plus the object key. No query string, no expiry.
 */
export function permanentUrl(baseUrl: string, key: string): string {
  const path = key.split('/').map(encodeURIComponent).join('/');
  return `${baseUrl}${path}`;
}
