/**
 * Recognises S3 pre-signed URLs (SigV4 and SigV2) and CloudFront signed URLs, and says which
 * bucket and key an S3 one points at, whatever endpoint form it uses. Pure: URL string in, facts out.
 *
 *   virtual-hosted  bucket.s3.eu-west-1.amazonaws.com/key     bucket.s3.amazonaws.com/key
 *   legacy regional bucket.s3-eu-west-1.amazonaws.com/key     s3-eu-west-1.amazonaws.com/bucket/key
 *   path-style      s3.eu-west-1.amazonaws.com/bucket/key     s3.amazonaws.com/bucket/key
 *   dual-stack      bucket.s3.dualstack.eu-west-1.amazonaws.com/key (and path-style)
 *   accelerate      bucket.s3-accelerate[.dualstack].amazonaws.com/key
 *   FIPS            bucket.s3-fips[.dualstack].us-east-1.amazonaws.com/key (and path-style)
 *   access points   <name>-<account>.s3-accesspoint[.dualstack].<region>.amazonaws.com/key: NOT
 *                   parsed. The host names the access point, not the bucket behind it, so such a
 *                   URL cannot be tied to our bucket: it stays a foreign signed URL (counted, logged).
 *   custom hosts    <host>/bucket/key and bucket.<host>/key (MinIO, the local stack: configured)
 */

export type SignatureVersion = 'sigv4' | 'sigv2' | 'cloudfront';
export type EndpointStyle = 'virtual-hosted' | 'path-style';

export interface SignedUrl {
  signature: SignatureVersion;
  /** undefined when the URL does not say (a CloudFront custom policy). */
  expiresAt: Date | undefined;
  /** The URL without its query string: safe to log (the signature is a bearer token). */
  location: string;
}

export interface PresignedS3Url extends SignedUrl {
  signature: 'sigv4' | 'sigv2';
  bucket: string;
  key: string;
  style: EndpointStyle;
  region: string | undefined;
}

const AWS_SUFFIX = /\.amazonaws\.com(?:\.cn)?$/;
const REGION = '[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d';
// What is left of the host once `.amazonaws.com` is cut off, with an optional bucket in front.
const S3_HOST = new RegExp(
  `^(?:(?<bucket>.+)\\.)?(?:s3-accelerate(?:\\.dualstack)?|s3(?:-fips)?(?:\\.dualstack)?(?:\\.(?<region>${REGION}))?|s3-(?<legacyRegion>${REGION}|external-1))$`,
);

function param(query: URLSearchParams, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of query) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** `20261203T162813Z` -> Date. */
function parseAmzDate(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (m === null) return undefined;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

function epochSeconds(value: string | undefined): Date | undefined {
  if (value === undefined || !/^\d{1,12}$/.test(value)) return undefined;
  return new Date(Number(value) * 1000);
}

/** Which signing scheme a URL carries, if any. */
export function signedUrlInfo(url: URL): SignedUrl | undefined {
  const query = url.searchParams;
  const location = `${url.origin}${url.pathname}`;
  if (param(query, 'X-Amz-Signature') !== undefined && param(query, 'X-Amz-Credential') !== undefined) {
    const date = parseAmzDate(param(query, 'X-Amz-Date'));
    const seconds = Number(param(query, 'X-Amz-Expires'));
    const expiresAt = date !== undefined && Number.isFinite(seconds) ? new Date(date.getTime() + seconds * 1000) : undefined;
    return { signature: 'sigv4', expiresAt, location };
  }
  if (param(query, 'Signature') !== undefined && param(query, 'Key-Pair-Id') !== undefined) {
    return { signature: 'cloudfront', expiresAt: epochSeconds(param(query, 'Expires')), location };
  }
  if (param(query, 'Signature') !== undefined && param(query, 'AWSAccessKeyId') !== undefined && param(query, 'Expires') !== undefined) {
    return { signature: 'sigv2', expiresAt: epochSeconds(param(query, 'Expires')), location };
  }
  return undefined;
}

function decodePath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

function split(path: string): { bucket: string; key: string } | undefined {
  const [, bucket = '', ...rest] = path.split('/');
  const key = decodePath(rest.join('/'));
  if (bucket === '' || key === undefined || key === '') return undefined;
  return { bucket: decodePath(bucket) ?? bucket, key };
}

/**
 * Bucket and key of an S3 pre-signed URL, or undefined when the URL is not one (not signed, or
 * not an S3 endpoint we know). `customHosts` are `host[:port]` values of non-AWS S3 endpoints.
 */
export function parsePresignedS3Url(raw: string, customHosts: readonly string[] = []): PresignedS3Url | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const signed = signedUrlInfo(url);
  if (signed === undefined || signed.signature === 'cloudfront') return undefined;
  const signature = signed.signature;
  const host = url.host.toLowerCase();

  for (const custom of customHosts) {
    const base = custom.toLowerCase();
    if (host === base) {
      const parts = split(url.pathname);
      return parts && { ...signed, signature, ...parts, style: 'path-style', region: undefined };
    }
    if (host.endsWith(`.${base}`)) {
      const key = decodePath(url.pathname.slice(1));
      const bucket = host.slice(0, -base.length - 1);
      return key ? { ...signed, signature, bucket, key, style: 'virtual-hosted', region: undefined } : undefined;
    }
  }

  const hostname = url.hostname.toLowerCase();
  if (!AWS_SUFFIX.test(hostname)) return undefined;
  const match = S3_HOST.exec(hostname.replace(AWS_SUFFIX, ''));
  if (match === null) return undefined;
  const region = match.groups?.region ?? match.groups?.legacyRegion;
  const hostedBucket = match.groups?.bucket;
  if (hostedBucket !== undefined) {
    const key = decodePath(url.pathname.slice(1));
    return key ? { ...signed, signature, bucket: hostedBucket, key, style: 'virtual-hosted', region } : undefined;
  }
  const parts = split(url.pathname);
  return parts && { ...signed, signature, ...parts, style: 'path-style', region };
}
