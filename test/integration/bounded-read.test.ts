import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { processS3Event } from '../../shared/avatar/process-s3-event';
import { loadNormalizeConfig } from '../../shared/config';
import { createMemoryLogger } from '../../shared/log';
import { getObjectBytesWithin } from '../../shared/s3-io';
import { useLocalStack } from '../helpers/local-stack';

describe('oversized uploads are refused from Content-Length (local S3)', () => {
  const local = useLocalStack();

  it('getObjectBytesWithin returns the body within the limit and only the length above it', async () => {
    const { stack, s3 } = local();
    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: 'uploads/big/a.bin', Body: Buffer.alloc(5000, 1) }));
    expect(await getObjectBytesWithin(s3, stack.bucket, 'uploads/big/a.bin', 4999)).toEqual({ status: 'too-large', contentLength: 5000 });
    const ok = await getObjectBytesWithin(s3, stack.bucket, 'uploads/big/a.bin', 5000);
    expect(ok.status === 'ok' && ok.body.length).toBe(5000);
    expect(await getObjectBytesWithin(s3, stack.bucket, 'uploads/big/none.bin', 10)).toEqual({ status: 'missing' });
  });

  it('an upload over MAX_INPUT_BYTES is rejected with E_TOO_LARGE and recorded, nothing published', async () => {
    const { stack, s3 } = local();
    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: 'uploads/huge/photo.jpg', Body: Buffer.alloc(300_000, 0xff) }));
    const event = await stack.waitForS3Event((r) => r.s3.object.key === 'uploads/huge/photo.jpg');
    const { logger, lines } = createMemoryLogger();
    const config = loadNormalizeConfig({ PUBLIC_ID_MODE: 'plain', MAX_INPUT_BYTES: '200000' });
    const result = await processS3Event({ s3, config, log: logger }, event);
    expect(result.outcomes).toMatchObject([{ status: 'rejected', code: 'E_TOO_LARGE' }]);
    expect(lines.find((l) => l.code === 'E_TOO_LARGE')).toMatchObject({ userId: 'huge', key: 'uploads/huge/photo.jpg' });
    expect(String((result.outcomes[0] as { message: string }).message)).toMatch(/0\.3 MiB \(300000 bytes\); the limit is 0\.2 MiB/);
  });
});
