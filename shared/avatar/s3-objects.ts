/**
 * The S3 calls the avatar flows need beyond plain get/put: reads with their ETag (for
 * compare-and-swap), prefix listings and batch deletes. The core never imports the SDK.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isConditionalConflict, isMissingObject, isPreconditionFailed } from '../s3-io';

export type PutObjectFn = (s3: S3Client, input: PutObjectCommandInput) => Promise<void>;

export const sendPutObject: PutObjectFn = async (s3, input) => {
  await s3.send(new PutObjectCommand(input));
};

/** 412 (the ETag moved) or 409 (a concurrent conditional write): re-read and try again. */
export const isWriteConflict = (error: unknown): boolean => isPreconditionFailed(error) || isConditionalConflict(error);

export async function getObjectWithEtag(s3: S3Client, bucket: string, key: string): Promise<{ body: Buffer; etag: string | undefined } | undefined> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = response.Body === undefined ? Buffer.alloc(0) : Buffer.from(await response.Body.transformToByteArray());
    return { body, etag: response.ETag };
  } catch (error) {
    if (isMissingObject(error)) return undefined;
    throw error;
  }
}

export async function listKeys(s3: S3Client, bucket: string, prefix: string, limit = Number.POSITIVE_INFINITY): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: Math.min(1000, limit) }),
    );
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined && keys.length < limit);
  return keys;
}

/** DeleteObjects in batches of 1,000 (the API maximum); a key that is already gone counts as deleted. */
export async function deleteKeys(s3: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  for (let start = 0; start < keys.length; start += 1000) {
    const batch = keys.slice(start, start + 1000);
    const response = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
    );
    const failed = (response.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
    if (failed.length > 0) {
      throw new Error(`could not delete ${failed.length} object(s), first ${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message}`);
    }
  }
}
