/**
 * Pre-signed URLs of our own avatars die within days (7 at most, hours with role credentials);
 * this swaps every one that points at the avatar bucket's `uploads/<userId>/` or `avatars/` for
 * the permanent URL of that user's current avatar. Signed URLs to anything else are left alone
 * but reported, with their expiry, so an operator sees which mails will break and when.
 */
import { AVATARS_PREFIX, parseUploadKey } from '../keys';
import type { AvatarRequest } from './avatar-resolver';
import { parsePresignedS3Url, type SignedUrl, signedUrlInfo } from './presigned-url';
import { type BodyFormat, replaceUrls } from './url-scanner';

export interface PresignedRewriteConfig {
  avatarBucket: string;
  /** `host[:port]` of non-AWS S3 endpoints whose URLs count too (the local stack, MinIO). */
  customHosts: readonly string[];
}

export type UrlVerdict =
  | { kind: 'avatar'; request: AvatarRequest }
  /** Signed, but not one of ours: left untouched, counted. */
  | { kind: 'foreign'; signed: SignedUrl }
  | { kind: 'plain' };

/** `uploads/<userId>/...` or `avatars/<publicId>/[<hash>/<size>.<ext>]` -> which avatar, at what size. */
export function avatarRequestForKey(key: string): AvatarRequest | undefined {
  const upload = parseUploadKey(key);
  if (upload !== undefined) return { target: { by: 'user', userId: upload.userId }, size: undefined };
  if (!key.startsWith(AVATARS_PREFIX)) return undefined;
  const [publicId = '', , file = ''] = key.slice(AVATARS_PREFIX.length).split('/');
  if (publicId === '') return undefined;
  const size = /^(\d{1,4})\.[a-z]+$/.exec(file)?.[1];
  return { target: { by: 'publicId', publicId }, size: size === undefined ? undefined : Number(size) };
}

export function classifyUrl(url: string, config: PresignedRewriteConfig): UrlVerdict {
  const s3 = parsePresignedS3Url(url, config.customHosts);
  if (s3 !== undefined && s3.bucket === config.avatarBucket) {
    const request = avatarRequestForKey(s3.key);
    if (request !== undefined) return { kind: 'avatar', request };
  }
  if (s3 !== undefined) return { kind: 'foreign', signed: s3 };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: 'plain' };
  }
  const signed = signedUrlInfo(parsed);
  return signed === undefined ? { kind: 'plain' } : { kind: 'foreign', signed };
}

export interface RewriteReport {
  /** How many of our pre-signed URLs were replaced. */
  rewritten: number;
  /** Other signed URLs found (left as they are). */
  foreign: SignedUrl[];
}

export function rewritePresignedUrls(
  body: string,
  format: BodyFormat,
  config: PresignedRewriteConfig,
  urlForAvatar: (request: AvatarRequest) => string,
  report: RewriteReport,
): string {
  return replaceUrls(body, format, (url) => {
    const verdict = classifyUrl(url, config);
    switch (verdict.kind) {
      case 'avatar':
        report.rewritten += 1;
        return urlForAvatar(verdict.request);
      case 'foreign':
        report.foreign.push(verdict.signed);
        return undefined;
      case 'plain':
        return undefined;
      default: {
        const unreachable: never = verdict;
        throw new Error(`unknown verdict ${JSON.stringify(unreachable)}`);
      }
    }
  });
}
