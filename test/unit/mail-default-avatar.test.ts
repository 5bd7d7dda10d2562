import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadSendConfig } from '../../shared/config';
import { DEFAULT_AVATAR_ASSET } from '../../shared/mail/default-avatar';
import { DEFAULT_AVATAR_KEY, DEFAULT_AVATAR_SHA256 } from '../../shared/mail/default-avatar-key';

describe('the shipped default avatar', () => {
  it('is a 256 px opaque PNG with a visible picture (not blank)', async () => {
    const png = await readFile(DEFAULT_AVATAR_ASSET);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height, meta.hasAlpha]).toEqual(['png', 256, 256, false]);
    const stats = await sharp(png).stats();
    expect(stats.isOpaque).toBe(true);
    expect(stats.channels[0]?.stdev).toBeGreaterThan(10);
  });

  it('matches the digest recorded with its immutable key (new picture => new key)', async () => {
    const digest = createHash('sha256').update(await readFile(DEFAULT_AVATAR_ASSET)).digest('hex');
    expect(digest).toBe(DEFAULT_AVATAR_SHA256);
    expect(DEFAULT_AVATAR_KEY).toMatch(/^avatars\/default\/v\d+\/256\.png$/);
  });
});

describe('send configuration', () => {
  const base = { AVATAR_BUCKET: 'b', AVATAR_BASE_URL: 'https://cdn.example.com', PUBLIC_ID_MODE: 'plain' };
  it('has sane defaults and takes the S3 endpoint host for pre-signed URL matching', () => {
    const config = loadSendConfig({ ...base, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569' });
    expect(config).toMatchObject({
      defaultAvatarKey: DEFAULT_AVATAR_KEY, idempotencyBucket: 'b', idempotencyLeaseSeconds: 120, sendConcurrency: 4, maxSendRate: undefined,
      sendInstances: 2, dlqUrl: undefined, retryBaseSeconds: 30, retryMaxSeconds: 900, sesMaxAttempts: 1, presignedUrlHosts: ['127.0.0.1:4569'],
    });
  });
  it('reports every bad send variable at once', () => {
    expect(() => loadSendConfig({ ...base, SEND_CONCURRENCY: '0', MAX_SEND_RATE: 'fast', DLQ_URL: 'queue', DEFAULT_AVATAR_KEY: 'uploads/x.png', PRESIGNED_URL_HOSTS: 'a b' })).toThrow(
      expect.objectContaining({ problems: expect.arrayContaining([
        expect.stringMatching(/^SEND_CONCURRENCY/), expect.stringMatching(/^MAX_SEND_RATE/), expect.stringMatching(/^DLQ_URL/),
        expect.stringMatching(/^DEFAULT_AVATAR_KEY/), expect.stringMatching(/^PRESIGNED_URL_HOSTS/),
      ]) }),
    );
  });
});
