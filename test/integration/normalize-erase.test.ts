/**
 * Right to erasure against the local S3 and the local CloudFront endpoint (dev/cloudfront-local.ts,
 * reached by the real CloudFrontClient through AWS_ENDPOINT_URL_CLOUDFRONT).
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloudFront, startLocalCloudFront } from '../../dev/cloudfront-local';
import { eraseUserAvatars } from '../../shared/avatar/delete';
import { processS3Event } from '../../shared/avatar/process-s3-event';
import { listKeys } from '../../shared/avatar/s3-objects';
import { loadNormalizeConfig } from '../../shared/config';
import { avatarPrefixFor, manifestKey, publicIdFor } from '../../shared/keys';
import { createMemoryLogger } from '../../shared/log';
import { encodeS3EventKey } from '../../shared/s3-event';
import { type StackHandle, useLocalStack } from '../helpers/local-stack';

const SECRET = 'normalize-erase-secret-0123456789';
const DISTRIBUTION = 'E2EXAMPLE0LOCAL';
const PHOTO = new URL('../fixtures/real_wizard_progressive.jpg', import.meta.url);
const publicIdOf = (userId: string): string => publicIdFor(userId, { mode: 'hmac', secret: SECRET });

describe('erasing a user\'s avatars', () => {
  const local = useLocalStack();
  let cloudFront: LocalCloudFront;
  let client: CloudFrontClient;
  beforeAll(async () => {
    cloudFront = await startLocalCloudFront({ distributionIds: [DISTRIBUTION] });
    process.env.AWS_ENDPOINT_URL_CLOUDFRONT = cloudFront.url;
    client = new CloudFrontClient({});
  });
  afterAll(async () => {
    client.destroy();
    delete process.env.AWS_ENDPOINT_URL_CLOUDFRONT;
    await cloudFront.close();
  });

  const config = (extra: Record<string, string> = {}) => loadNormalizeConfig({ PUBLIC_ID_SECRET: SECRET, ...extra });

  async function publish(handle: StackHandle, key: string): Promise<void> {
    await handle.s3.send(new PutObjectCommand({ Bucket: handle.stack.bucket, Key: key, Body: await readFile(PHOTO) }));
    const event = await handle.stack.waitForS3Event((r) => r.eventName.startsWith('ObjectCreated') && r.s3.object.key === encodeS3EventKey(key));
    const { logger } = createMemoryLogger();
    const result = await processS3Event({ s3: handle.s3, config: config(), log: logger }, event);
    expect(result.outcomes[0]?.status).toBe('published');
  }

  async function remove(handle: StackHandle, key: string) {
    await handle.s3.send(new DeleteObjectCommand({ Bucket: handle.stack.bucket, Key: key }));
    return handle.stack.waitForS3Event((r) => r.eventName.startsWith('ObjectRemoved') && r.s3.object.key === encodeS3EventKey(key));
  }

  const manifestExists = async (handle: StackHandle, userId: string): Promise<boolean> =>
    handle.s3.send(new GetObjectCommand({ Bucket: handle.stack.bucket, Key: manifestKey(publicIdOf(userId)) })).then(
      () => true,
      () => false,
    );

  it('ObjectRemoved on the last upload deletes every variant and the manifest, then invalidates /avatars/<publicId>/* once', async () => {
    const handle = local();
    await publish(handle, 'uploads/leaver/one.jpg');
    const before = await listKeys(handle.s3, handle.stack.bucket, avatarPrefixFor(publicIdOf('leaver')));
    expect(before.length).toBe(4);

    const event = await remove(handle, 'uploads/leaver/one.jpg');
    const { logger, lines } = createMemoryLogger();
    const deps = { s3: handle.s3, config: config({ CLOUDFRONT_DISTRIBUTION_ID: DISTRIBUTION }), log: logger, cloudfront: client };
    const result = await processS3Event(deps, event);
    expect(result.outcomes[0]).toMatchObject({ status: 'erased', userId: 'leaver', deleted: 4, key: 'uploads/leaver/one.jpg' });
    expect(await listKeys(handle.s3, handle.stack.bucket, avatarPrefixFor(publicIdOf('leaver')))).toEqual([]);
    expect(await manifestExists(handle, 'leaver')).toBe(false);

    const mine = cloudFront.invalidations.filter((i) => i.paths.includes(`/avatars/${publicIdOf('leaver')}/*`));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ distributionId: DISTRIBUTION, paths: [`/avatars/${publicIdOf('leaver')}/*`] });
    expect(lines.find((l) => l.message === 'avatars erased')).toMatchObject({ userId: 'leaver', invalidationId: mine[0]?.id });

    // At-least-once delivery: the same event again deletes nothing and starts no second invalidation.
    const again = await processS3Event(deps, event);
    expect(again.outcomes[0]).toMatchObject({ status: 'erased', deleted: 0 });
    expect(cloudFront.invalidations.filter((i) => i.paths.includes(`/avatars/${publicIdOf('leaver')}/*`))).toHaveLength(1);
    expect(cloudFront.requests.filter((i) => i.id === mine[0]?.id)).toHaveLength(2);
  });

  it('deleting one of several uploads keeps the avatar (apps replace files that way)', async () => {
    const handle = local();
    await publish(handle, 'uploads/replacer/old.jpg');
    await handle.s3.send(new PutObjectCommand({ Bucket: handle.stack.bucket, Key: 'uploads/replacer/new.jpg', Body: await readFile(PHOTO) }));
    const event = await remove(handle, 'uploads/replacer/old.jpg');
    const { logger } = createMemoryLogger();
    const requestsBefore = cloudFront.requests.length;
    const result = await processS3Event({ s3: handle.s3, config: config({ CLOUDFRONT_DISTRIBUTION_ID: DISTRIBUTION }), log: logger, cloudfront: client }, event);
    expect(result.outcomes[0]).toMatchObject({ status: 'kept', userId: 'replacer' });
    expect(await manifestExists(handle, 'replacer')).toBe(true);
    expect(await listKeys(handle.s3, handle.stack.bucket, avatarPrefixFor(publicIdOf('replacer')))).toHaveLength(4);
    expect(cloudFront.requests.length).toBe(requestsBefore);
  });

  it('a delete job erases regardless of remaining uploads; without a distribution configured nothing is invalidated', async () => {
    const handle = local();
    await publish(handle, 'uploads/gdpr/me.jpg');
    const { logger } = createMemoryLogger();
    const requestsBefore = cloudFront.requests.length;
    const outcome = await eraseUserAvatars({ s3: handle.s3, config: config(), log: logger }, { bucket: handle.stack.bucket, userId: 'gdpr', reference: 'job-1', onlyIfNoUploadsLeft: false });
    expect(outcome).toEqual({ status: 'erased', userId: 'gdpr', deleted: 4, invalidationId: undefined });
    expect(await manifestExists(handle, 'gdpr')).toBe(false);
    expect(cloudFront.requests.length).toBe(requestsBefore);
  });

  it('the handler runs an erase-user job (thin glue over the same core)', async () => {
    const handle = local();
    await publish(handle, 'uploads/via-handler/me.jpg');
    process.env.PUBLIC_ID_SECRET = SECRET;
    process.env.CLOUDFRONT_DISTRIBUTION_ID = DISTRIBUTION;
    try {
      const { handler } = await import('../../functions/normalize-avatar/handler');
      const context = { awsRequestId: 'req-erase-1' } as Context;
      const outcome = await handler({ kind: 'erase-user', bucket: handle.stack.bucket, userId: 'via-handler' }, context);
      expect(outcome).toMatchObject({ status: 'erased', userId: 'via-handler', deleted: 4 });
      expect(cloudFront.invalidations.find((i) => i.callerReference === `erase-${publicIdOf('via-handler')}-req-erase-1`)).toBeDefined();
    } finally {
      delete process.env.PUBLIC_ID_SECRET;
      delete process.env.CLOUDFRONT_DISTRIBUTION_ID;
    }
  });

  it('the local endpoint answers like CloudFront for an unknown distribution', async () => {
    const { logger } = createMemoryLogger();
    const handle = local();
    await publish(handle, 'uploads/wrong-dist/me.jpg');
    await expect(
      eraseUserAvatars(
        { s3: handle.s3, config: config({ CLOUDFRONT_DISTRIBUTION_ID: 'ENOSUCH' }), log: logger, cloudfront: client },
        { bucket: handle.stack.bucket, userId: 'wrong-dist', reference: 'x', onlyIfNoUploadsLeft: false },
      ),
    ).rejects.toMatchObject({ name: 'NoSuchDistribution' });
  });
});
