/**
 * For `npm run demo -- --job examples/job-presigned.json`: a pre-signed URL must be minted at run
 * time (it expires), so job files carry tokens the demo replaces with real pre-signed URLs of the
 * photo it just uploaded:
 *   $PRESIGNED_LOCAL_URL  SigV4, the local S3 endpoint, path-style (really fetchable, 15 minutes)
 *   $PRESIGNED_AWS_URL    SigV4, virtual-hosted eu-west-1 with a session token (ASIA... credentials)
 *   $PRESIGNED_SIGV2_URL  SigV2, legacy global endpoint
 * In `html` the URLs are written `&amp;`-encoded, as templating engines put them in attributes.
 */
import { createHmac } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { LocalStack } from './stack';

export type PresignedTokens = Record<'$PRESIGNED_LOCAL_URL' | '$PRESIGNED_AWS_URL' | '$PRESIGNED_SIGV2_URL', string>;

export async function mintUploadUrls(stack: LocalStack, key: string): Promise<PresignedTokens> {
  const credentials = { accessKeyId: stack.env.AWS_ACCESS_KEY_ID ?? 'S3RVER', secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER' };
  const command = new GetObjectCommand({ Bucket: stack.bucket, Key: key });
  const local = new S3Client({ region: stack.region, endpoint: stack.endpoints.s3, forcePathStyle: true, credentials });
  const aws = new S3Client({ region: 'eu-west-1', credentials: { ...credentials, accessKeyId: 'ASIADEMOEXAMPLE', sessionToken: 'demo-session-token' }, ignoreConfiguredEndpointUrls: true });
  try {
    const path = key.split('/').map(encodeURIComponent).join('/');
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const signature = createHmac('sha1', credentials.secretAccessKey).update(`GET\n\n\n${expires}\n/${stack.bucket}/${path}`).digest('base64');
    return {
      $PRESIGNED_LOCAL_URL: await getSignedUrl(local, command, { expiresIn: 900 }),
      $PRESIGNED_AWS_URL: await getSignedUrl(aws, command, { expiresIn: 43_200 }),
      $PRESIGNED_SIGV2_URL: `https://${stack.bucket}.s3.amazonaws.com/${path}?AWSAccessKeyId=AKIADEMOEXAMPLE&Expires=${expires}&Signature=${encodeURIComponent(signature)}`,
    };
  } finally {
    local.destroy();
    aws.destroy();
  }
}

/** Replaces the tokens in every string of the job (`&amp;`-encoded inside `html`). */
export function substitutePresignedTokens(job: Record<string, unknown>, tokens: PresignedTokens): Record<string, unknown> {
  const fill = (value: unknown, html: boolean): unknown => {
    if (typeof value === 'string') {
      return Object.entries(tokens).reduce((text, [token, url]) => text.split(token).join(html ? url.replace(/&/g, '&amp;') : url), value);
    }
    if (Array.isArray(value)) return value.map((item) => fill(item, html));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, html)]));
    return value;
  };
  return Object.fromEntries(Object.entries(job).map(([field, value]) => [field, fill(value, field === 'html')]));
}
