/**
 * The table of pre-signed URL forms: real ones minted offline by @aws-sdk/s3-request-presigner
 * for several endpoint styles and regions, plus hand-made SigV2 and legacy hosts it no longer emits.
 */
import { createHmac } from 'node:crypto';
import { GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { avatarRequestForKey, classifyUrl, rewritePresignedUrls } from '../../shared/mail/presigned-rewrite';
import { parsePresignedS3Url, signedUrlInfo } from '../../shared/mail/presigned-url';

const BUCKET = 'evergreen-avatars-prod';
const KEY = 'uploads/u+1 x/ph oto.jpg';
const credentials = { accessKeyId: 'ASIAQEXAMPLE', secretAccessKey: 'secret', sessionToken: 'FwoGZXIvYXdzE+/token=' };

async function presign(config: S3ClientConfig, bucket = BUCKET, key = KEY, expiresIn = 3600): Promise<string> {
  const client = new S3Client({ ...config, credentials });
  try {
    return await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });
  } finally {
    client.destroy();
  }
}

/** SigV2 query auth, as old SDKs and many app frameworks still produce it. */
function sigV2(host: string, path: string, expires: number): string {
  const signature = createHmac('sha1', 'secret').update(`GET\n\n\n${expires}\n${path}`).digest('base64');
  return `https://${host}${path}?AWSAccessKeyId=AKIAEXAMPLE&Expires=${expires}&Signature=${encodeURIComponent(signature)}`;
}
const OURS = { avatarBucket: BUCKET, customHosts: [] };
/** Rewrites `url` inside an attribute (`&amp;`-encoded) and in text; returns both results. */
function rewritten(url: string): [string, string] {
  const report = { rewritten: 0, foreign: [] };
  const html = rewritePresignedUrls(`<img src="${url.replace(/&/g, '&amp;')}" width="48">`, 'html', OURS, () => 'https://cdn.example/p.jpg', report);
  const text = rewritePresignedUrls(`Photo: ${url}.`, 'text', OURS, () => 'https://cdn.example/p.jpg', report);
  return [html, text];
}
const REWRITTEN: [string, string] = ['<img src="https://cdn.example/p.jpg" width="48">', 'Photo: https://cdn.example/p.jpg.'];

const v2Path = `/${BUCKET}/${KEY.split('/').map(encodeURIComponent).join('/')}`;
const v2Key = KEY.split('/').map(encodeURIComponent).join('/');

const sdkForms: Array<[string, S3ClientConfig, RegExp]> = [
  ['virtual-hosted us-east-1', { region: 'us-east-1' }, /^https:\/\/evergreen-avatars-prod\.s3\.us-east-1\.amazonaws\.com\//],
  ['virtual-hosted eu-west-1', { region: 'eu-west-1' }, /^https:\/\/evergreen-avatars-prod\.s3\.eu-west-1\.amazonaws\.com\//],
  ['path-style ap-southeast-2', { region: 'ap-southeast-2', forcePathStyle: true }, /^https:\/\/s3\.ap-southeast-2\.amazonaws\.com\/evergreen-avatars-prod\//],
  ['dual-stack eu-central-1', { region: 'eu-central-1', useDualstackEndpoint: true }, /\.s3\.dualstack\.eu-central-1\.amazonaws\.com\//],
  ['dual-stack path-style', { region: 'eu-central-1', useDualstackEndpoint: true, forcePathStyle: true }, /^https:\/\/s3\.dualstack\.eu-central-1\.amazonaws\.com\/evergreen/],
  ['accelerate', { region: 'us-west-2', useAccelerateEndpoint: true }, /\.s3-accelerate\.amazonaws\.com\//],
  ['accelerate dual-stack', { region: 'us-west-2', useAccelerateEndpoint: true, useDualstackEndpoint: true }, /\.s3-accelerate\.dualstack\.amazonaws\.com\//],
  ['legacy global endpoint', { region: 'us-east-1', endpoint: 'https://s3.amazonaws.com' }, /^https:\/\/evergreen-avatars-prod\.s3\.amazonaws\.com\//],
  ['legacy global path-style', { region: 'us-east-1', endpoint: 'https://s3.amazonaws.com', forcePathStyle: true }, /^https:\/\/s3\.amazonaws\.com\/evergreen/],
  ['legacy regional s3-eu-west-1', { region: 'eu-west-1', endpoint: 'https://s3-eu-west-1.amazonaws.com' }, /\.s3-eu-west-1\.amazonaws\.com\//],
  ['legacy regional path-style', { region: 'sa-east-1', endpoint: 'https://s3-sa-east-1.amazonaws.com', forcePathStyle: true }, /^https:\/\/s3-sa-east-1\.amazonaws\.com\/evergreen/],
  ['China partition', { region: 'cn-north-1' }, /\.s3\.cn-north-1\.amazonaws\.com\.cn\//],
  ['GovCloud', { region: 'us-gov-west-1' }, /\.s3\.us-gov-west-1\.amazonaws\.com\//],
  ['FIPS us-east-1', { region: 'us-east-1', useFipsEndpoint: true }, /^https:\/\/evergreen-avatars-prod\.s3-fips\.us-east-1\.amazonaws\.com\//],
  ['FIPS dual-stack', { region: 'us-east-1', useFipsEndpoint: true, useDualstackEndpoint: true }, /^https:\/\/evergreen-avatars-prod\.s3-fips\.dualstack\.us-east-1\.amazonaws\.com\//],
  ['FIPS path-style', { region: 'us-gov-west-1', useFipsEndpoint: true, forcePathStyle: true }, /^https:\/\/s3-fips\.us-gov-west-1\.amazonaws\.com\/evergreen/],
];

describe('S3 pre-signed URL forms', () => {
  it.each(sdkForms)('SigV4 %s: bucket and key recognised', async (_name, config, shape) => {
    const url = await presign(config);
    expect(url).toMatch(shape);
    const parsed = parsePresignedS3Url(url);
    expect(parsed).toMatchObject({ signature: 'sigv4', bucket: BUCKET, key: KEY });
    expect(url).toContain('X-Amz-Security-Token=');
    const expires = parsed?.expiresAt?.getTime() ?? 0;
    expect(Math.abs(expires - (Date.now() + 3600_000))).toBeLessThan(120_000);
    expect(classifyUrl(url, OURS)).toEqual({ kind: 'avatar', request: { target: { by: 'user', userId: 'u+1 x' }, size: undefined } });
    expect(rewritten(url)).toEqual(REWRITTEN);
  });

  it('access-point URLs (also dual-stack) name no bucket: foreign signed URLs, counted and left alone', async () => {
    for (const useDualstackEndpoint of [false, true]) {
      const url = await presign({ region: 'eu-west-1', useDualstackEndpoint }, 'arn:aws:s3:eu-west-1:123456789012:accesspoint/myap');
      expect(url).toMatch(useDualstackEndpoint ? /^https:\/\/myap-123456789012\.s3-accesspoint\.dualstack\.eu-west-1\.amazonaws\.com\// : /^https:\/\/myap-123456789012\.s3-accesspoint\.eu-west-1\.amazonaws\.com\//);
      expect(parsePresignedS3Url(url)).toBeUndefined();
      expect(classifyUrl(url, OURS)).toMatchObject({ kind: 'foreign', signed: { signature: 'sigv4' } });
      const report = { rewritten: 0, foreign: [] };
      const html = `<img src="${url.replace(/&/g, '&amp;')}">`;
      expect(rewritePresignedUrls(html, 'html', OURS, () => 'https://cdn.example/p.jpg', report)).toBe(html);
      expect(report.foreign).toHaveLength(1);
    }
  });

  it('protocol-relative URLs in html (src, srcset, CSS url()) are found and rewritten to https', async () => {
    const relative = (await presign({ region: 'eu-west-1' })).replace(/^https:/, '').replace(/&/g, '&amp;');
    const report = { rewritten: 0, foreign: [] };
    const html = `<img src="${relative}"><img srcset="${relative} 1x,${relative} 2x"><div style="background:url(${relative})"></div>`;
    const out = rewritePresignedUrls(html, 'html', OURS, () => 'https://cdn.example/p.jpg', report);
    expect(out).toBe('<img src="https://cdn.example/p.jpg"><img srcset="https://cdn.example/p.jpg 1x,https://cdn.example/p.jpg 2x"><div style="background:url(https://cdn.example/p.jpg)"></div>');
    expect(report.rewritten).toBe(4);
    // A path's `//` is not a URL of its own.
    expect(rewritePresignedUrls('<a href="https://x.example/a//b">', 'html', OURS, () => 'https://cdn.example/p.jpg', report)).toBe('<a href="https://x.example/a//b">');
  });

  it('SigV4 for a local or MinIO endpoint counts only when its host is configured', async () => {
    const url = await presign({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4569' });
    expect(parsePresignedS3Url(url)).toBeUndefined();
    expect(parsePresignedS3Url(url, ['127.0.0.1:4569'])).toMatchObject({ bucket: BUCKET, key: KEY, style: 'path-style' });
  });

  const expires = 1_900_000_000;
  const v2Forms: Array<[string, string]> = [
    ['virtual-hosted legacy', sigV2(`${BUCKET}.s3.amazonaws.com`, `/${v2Key}`, expires)],
    ['path-style legacy', sigV2('s3.amazonaws.com', v2Path, expires)],
    ['regional dash form', sigV2(`${BUCKET}.s3-eu-west-1.amazonaws.com`, `/${v2Key}`, expires)],
    ['regional dot form path-style', sigV2('s3.eu-west-1.amazonaws.com', v2Path, expires)],
    ['s3-external-1', sigV2('s3-external-1.amazonaws.com', v2Path, expires)],
    ['http scheme', sigV2(`${BUCKET}.s3.amazonaws.com`, `/${v2Key}`, expires).replace('https:', 'http:')],
  ];
  it.each(v2Forms)('SigV2 %s: bucket, key and expiry recognised', (_name, url) => {
    expect(parsePresignedS3Url(url)).toMatchObject({ signature: 'sigv2', bucket: BUCKET, key: KEY, expiresAt: new Date(expires * 1000) });
    expect(rewritten(url)).toEqual(REWRITTEN);
  });

  it('a bucket name with dots is found in virtual-hosted and path-style URLs', async () => {
    expect(parsePresignedS3Url(await presign({ region: 'us-west-2' }, 'my.avatars.bucket'))).toMatchObject({ bucket: 'my.avatars.bucket', key: KEY });
    expect(parsePresignedS3Url(sigV2('my.avatars.bucket.s3.amazonaws.com', '/uploads/u/a.jpg', expires))).toMatchObject({ bucket: 'my.avatars.bucket', key: 'uploads/u/a.jpg' });
  });

  it('other buckets, other prefixes and unsigned URLs are not avatars', async () => {
    const config = { avatarBucket: BUCKET, customHosts: [] };
    expect(classifyUrl(await presign({ region: 'eu-west-1' }, 'someone-elses-bucket'), config)).toMatchObject({ kind: 'foreign', signed: { signature: 'sigv4' } });
    expect(classifyUrl(await presign({ region: 'eu-west-1' }, BUCKET, 'invoices/2026/1.pdf'), config).kind).toBe('foreign');
    expect(classifyUrl(await presign({ region: 'eu-west-1' }, BUCKET, 'manifests/x.json'), config).kind).toBe('foreign');
    expect(classifyUrl(`https://${BUCKET}.s3.amazonaws.com/uploads/u/a.jpg`, config).kind).toBe('plain');
    const other = await presign({ region: 'eu-west-1' }, 'someone-elses-bucket', KEY);
    expect(rewritten(other)).toEqual([`<img src="${other.replace(/&/g, '&amp;')}" width="48">`, `Photo: ${other}.`]);
    expect(classifyUrl('https://example.com/a.jpg?Signature=x', config).kind).toBe('plain');
    // Look-alike hosts carry SigV4 marks, so they count as someone else's signed URL, never as ours.
    expect(classifyUrl('https://evil.example/amazonaws.com/uploads/u/a.jpg?X-Amz-Signature=1&X-Amz-Credential=2', config).kind).toBe('foreign');
    expect(classifyUrl(`https://${BUCKET}.s3.amazonaws.com.evil.example/uploads/u/a.jpg?X-Amz-Signature=1&X-Amz-Credential=2`, config).kind).toBe('foreign');
  });

  it('CloudFront signed URLs are recognised as signed (left alone) with their expiry', () => {
    const info = signedUrlInfo(new URL('https://d111.cloudfront.net/a.jpg?Expires=1900000000&Signature=abc~&Key-Pair-Id=K2JCJMDEHXQW5F'));
    expect(info).toEqual({ signature: 'cloudfront', expiresAt: new Date(1_900_000_000_000), location: 'https://d111.cloudfront.net/a.jpg' });
  });
});

describe('which avatar an object key means', () => {
  it('uploads/<userId>/ names a user, avatars/<publicId>/<hash>/<size> a public id and size', () => {
    expect(avatarRequestForKey('uploads/u+1 x/ph oto.jpg')).toEqual({ target: { by: 'user', userId: 'u+1 x' }, size: undefined });
    expect(avatarRequestForKey('avatars/abc123/0123456789abcdef0123/192.jpg')).toEqual({ target: { by: 'publicId', publicId: 'abc123' }, size: 192 });
    expect(avatarRequestForKey('avatars/abc123/')).toEqual({ target: { by: 'publicId', publicId: 'abc123' }, size: undefined });
    expect(avatarRequestForKey('uploads/no-file')).toBeUndefined();
    expect(avatarRequestForKey('manifests/abc123.json')).toBeUndefined();
  });
});
