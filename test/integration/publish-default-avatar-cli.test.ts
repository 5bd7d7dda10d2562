import { GetObjectCommand } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli';
import { DEFAULT_AVATAR_KEY } from '../../shared/mail/default-avatar-key';
import { DEFAULT_AVATAR_ASSET } from '../../shared/mail/default-avatar';
import { useLocalStack } from '../helpers/local-stack';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  try {
    return { code: await main(args), out: out.join(''), err: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe('evergreen-avatars publish-default-avatar (against local S3)', () => {
  const local = useLocalStack();

  it('publishes the shipped asset once, then finds it already published', async () => {
    const { stack, s3 } = local();
    const first = await run(['publish-default-avatar', '--bucket', stack.bucket]);
    expect(first.code, first.err).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ bucket: stack.bucket, status: 'published', key: DEFAULT_AVATAR_KEY });
    const stored = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: DEFAULT_AVATAR_KEY }));
    expect(stored.ContentType).toBe('image/png');
    expect(stored.CacheControl).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(await readFile(DEFAULT_AVATAR_ASSET))).toBe(true);

    const second = await run(['publish-default-avatar', '--bucket', stack.bucket]);
    expect(JSON.parse(second.out)).toMatchObject({ status: 'already-published' });
  });

  it('refuses a missing bucket and a key outside avatars/ with exit 1', async () => {
    expect((await run(['publish-default-avatar'])).err).toMatch(/--bucket is required/);
    const outside = await run(['publish-default-avatar', '--bucket', 'b', '--key', 'uploads/x.png']);
    expect(outside.code).toBe(1);
    expect(outside.err).toMatch(/under avatars\//);
    const escaping = await run(['publish-default-avatar', '--bucket', 'b', '--key', 'avatars/../manifests/x.json']);
    expect(escaping.code).toBe(1);
  });
});
