import type { S3Event } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { decodeS3EventKey, encodeS3EventKey, parseS3Event } from '../../shared/s3-event';

const record = (eventName: string, key: string) => ({
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  awsRegion: 'us-east-1',
  eventTime: '2026-12-03T10:00:00.000Z',
  eventName,
  userIdentity: { principalId: 'x' },
  requestParameters: { sourceIPAddress: '127.0.0.1' },
  responseElements: { 'x-amz-request-id': 'r', 'x-amz-id-2': 'i' },
  s3: {
    s3SchemaVersion: '1.0',
    configurationId: 'c',
    bucket: { name: 'b', ownerIdentity: { principalId: 'o' }, arn: 'arn:aws:s3:::b' },
    object: { key, size: 10, eTag: 'e', sequencer: '0A1' },
  },
});

describe('S3 event keys', () => {
  it.each([
    ['uploads/u%2B1/my+photo.jpg', 'uploads/u+1/my photo.jpg'],
    ['uploads/user%3A7/a%26b.jpg', 'uploads/user:7/a&b.jpg'],
    ['uploads/%C3%A9l%C3%A8ve/%E7%85%A7%E7%89%87.jpg', 'uploads/élève/照片.jpg'],
    ['uploads/u/100%25.png', 'uploads/u/100%.png'],
  ])('decodes %s to %s', (encoded, raw) => {
    expect(decodeS3EventKey(encoded)).toBe(raw);
  });

  it('round-trips keys through the S3 notification encoding', () => {
    for (const key of ['uploads/u+1/my photo.jpg', 'uploads/a b/c+d:e?f#g.jpg', 'uploads/ü/ß.heic']) {
      const encoded = encodeS3EventKey(key);
      expect(encoded).not.toContain(' ');
      expect(decodeS3EventKey(encoded)).toBe(key);
    }
  });

  it('parses created and removed records and drops other event kinds', () => {
    const event = {
      Records: [record('ObjectCreated:Put', 'uploads/u/a+b.jpg'), record('ObjectRemoved:Delete', 'uploads/u/x.jpg'), record('ObjectRestore:Post', 'uploads/u/y.jpg')],
    } as unknown as S3Event;
    expect(parseS3Event(event)).toEqual([
      { kind: 'created', bucket: 'b', key: 'uploads/u/a b.jpg', size: 10, sequencer: '0A1', eventTime: '2026-12-03T10:00:00.000Z' },
      { kind: 'removed', bucket: 'b', key: 'uploads/u/x.jpg', size: 10, sequencer: '0A1', eventTime: '2026-12-03T10:00:00.000Z' },
    ]);
  });

  it('treats an event without Records (e.g. s3:TestEvent) as empty', () => {
    expect(parseS3Event({ Service: 'Amazon S3', Event: 's3:TestEvent' } as unknown as S3Event)).toEqual([]);
  });
});
