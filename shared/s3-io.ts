/** Small S3 helpers shared by the functions: the only module here that speaks S3 directly. */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';

export async function getObjectBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer | undefined> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (response.Body === undefined) return Buffer.alloc(0);
    return Buffer.from(await response.Body.transformToByteArray());
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
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
