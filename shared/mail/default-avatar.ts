/**
 * Publishes the shipped default avatar (`assets/default-avatar.png`) at DEFAULT_AVATAR_KEY with
 * the same immutable caching as real variants. Idempotent: a second run finds the object and
 * checks it holds the same bytes (a different picture under an immutable key would be a bug).
 * Called by the demo and by deploy tooling; the send function itself only links to the URL.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { IMMUTABLE_CACHE_CONTROL, isPreconditionFailed } from '../s3-io';
import { DEFAULT_AVATAR_KEY } from './default-avatar-key';

export const DEFAULT_AVATAR_ASSET = new URL('../../assets/default-avatar.png', import.meta.url);

export type DefaultAvatarPublication = { status: 'published' | 'already-published'; key: string; bytes: number };

export async function publishDefaultAvatar(
  s3: S3Client,
  bucket: string,
  options: { key?: string; body?: Buffer } = {},
): Promise<DefaultAvatarPublication> {
  const key = options.key ?? DEFAULT_AVATAR_KEY;
  const body = options.body ?? (await readFile(DEFAULT_AVATAR_ASSET));
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'image/png',
        CacheControl: IMMUTABLE_CACHE_CONTROL,
        IfNoneMatch: '*',
      }),
    );
    return { status: 'published', key, bytes: body.length };
  } catch (error) {
    if (!isPreconditionFailed(error)) throw error;
  }
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const md5 = createHash('md5').update(body).digest('hex');
  if (head.ETag?.replace(/"/g, '') !== md5) {
    throw new Error(`${key} already holds other bytes (ETag ${head.ETag}, asset MD5 ${md5}): publish a new picture under a new key`);
  }
  return { status: 'already-published', key, bytes: body.length };
}
