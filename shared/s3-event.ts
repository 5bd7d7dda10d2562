import type { S3Event, S3EventRecord } from 'aws-lambda';

/**
 * S3 notifications URL-encode object keys (space -> `+`, `:` -> `%3A`); a literal `+` arrives as `%2B`.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
export function decodeS3EventKey(encodedKey: string): string {
  return decodeURIComponent(encodedKey.replace(/\+/g, ' '));
}

/** The inverse, as S3 does it: for building events from a raw key (local stack, tests). */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

export type S3ChangeKind = 'created' | 'removed';

export interface S3Change {
  kind: S3ChangeKind;
  bucket: string;
  key: string;
  size: number;
  sequencer: string;
  eventTime: string;
}

function changeKind(eventName: string): S3ChangeKind | undefined {
  if (eventName.startsWith('ObjectCreated:')) return 'created';
  if (eventName.startsWith('ObjectRemoved:')) return 'removed';
  return undefined;
}

export function parseS3Record(record: S3EventRecord): S3Change | undefined {
  const kind = changeKind(record.eventName);
  if (kind === undefined) return undefined;
  return {
    kind,
    bucket: record.s3.bucket.name,
    key: decodeS3EventKey(record.s3.object.key),
    size: record.s3.object.size ?? 0,
    sequencer: record.s3.object.sequencer ?? '',
    eventTime: record.eventTime,
  };
}

export function parseS3Event(event: S3Event): S3Change[] {
  const records = Array.isArray(event.Records) ? event.Records : [];
  return records.map(parseS3Record).filter((change): change is S3Change => change !== undefined);
}
