/** Small S3 read/write helpers shared by both functions (conditional writes live in shared/avatar/s3-objects.ts). */
import { GetObjectCommand, PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { httpStatusOf } from './errors';

/** Published objects never change under their key (content-addressed), so caches may keep them a year. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

const errorName = (error: unknown): string | undefined => (error as { name?: string } | undefined)?.name;

export const isMissingObject = (error: unknown): boolean => errorName(error) === 'NoSuchKey' || httpStatusOf(error) === 404;

/** 412: a conditional write's precondition (If-None-Match / If-Match) did not hold. */
export const isPreconditionFailed = (error: unknown): boolean => errorName(error) === 'PreconditionFailed' || httpStatusOf(error) === 412;

/** 409: another conditional write to the same key was in flight. */
export const isConditionalConflict = (error: unknown): boolean => errorName(error) === 'ConditionalRequestConflict' || httpStatusOf(error) === 409;

export async function getObjectBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer | undefined> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (response.Body === undefined) return Buffer.alloc(0);
    return Buffer.from(await response.Body.transformToByteArray());
  } catch (error) {
    if (isMissingObject(error)) return undefined;
    throw error;
  }
}

export type BoundedRead = { status: 'ok'; body: Buffer } | { status: 'missing' } | { status: 'too-large'; contentLength: number };

/**
 * Reads an object only if its Content-Length is within `maxBytes`: a 2 GB upload is refused from the
 * response headers, before its body could exhaust the function's memory.
 */
export async function getObjectBytesWithin(s3: S3Client, bucket: string, key: string, maxBytes: number): Promise<BoundedRead> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const contentLength = response.ContentLength ?? 0;
    if (contentLength > maxBytes) {
      const body = response.Body as { destroy?: () => void } | undefined;
      body?.destroy?.();
      return { status: 'too-large', contentLength };
    }
    if (response.Body === undefined) return { status: 'ok', body: Buffer.alloc(0) };
    return { status: 'ok', body: Buffer.from(await response.Body.transformToByteArray()) };
  } catch (error) {
    if (isMissingObject(error)) return { status: 'missing' };
    throw error;
  }
}

export async function getObjectText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  const bytes = await getObjectBytes(s3, bucket, key);
  return bytes?.toString('utf8');
}

export async function putObject(s3: S3Client, input: PutObjectCommandInput): Promise<void> {
  await s3.send(new PutObjectCommand(input));
}
