import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../shared/avatar/manifest';
import { processS3Event } from '../../shared/avatar/process-s3-event';
import { loadNormalizeConfig, loadSendConfig } from '../../shared/config';
import { manifestKey, publicIdFor } from '../../shared/keys';
import { createMemoryLogger } from '../../shared/log';
import { processSqsEvent } from '../../shared/mail/process-sqs-event';
import { toSqsEvent } from '../../dev/sqs-event';
import { sesStore, useLocalStack } from '../helpers/local-stack';
import { permanentUrl } from '../../shared/urls/public-url';

const SECRET = 'integration-test-secret-0123456789';
// 265x352: large enough for 512 px within the default MAX_UPSCALE of 2 (the 400x250 photo stops at 192).
const PHOTO = new URL('../fixtures/real_wizard_progressive.jpg', import.meta.url);

describe('upload -> avatars -> mail, against the local stack', () => {
  const local = useLocalStack();

  it('publishes 48/96/192/512 JPEG variants with immutable caching, then a manifest', async () => {
    const { stack, s3 } = local();
    const photo = await readFile(PHOTO);
    const userId = 'u+1 test';
    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: `uploads/${userId}/my photo.jpg`, Body: photo }));
    const event = await stack.waitForS3Event((r) => r.s3.object.key === 'uploads/u%2B1+test/my+photo.jpg');

    const { logger } = createMemoryLogger();
    const config = loadNormalizeConfig({ PUBLIC_ID_SECRET: SECRET });
    const result = await processS3Event({ s3, config, log: logger }, event);
    expect(result.outcomes).toHaveLength(1);
    expect(result.outcomes[0]?.status).toBe('published');

    const publicId = publicIdFor(userId, { mode: 'hmac', secret: SECRET });
    const manifestObject = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: manifestKey(publicId) }));
    const manifest = parseManifest(await manifestObject.Body!.transformToString());
    expect(manifest.userId).toBe(userId);
    expect(manifest.current?.variants.map((v) => v.size)).toEqual([48, 96, 192, 512]);

    for (const variant of manifest.current?.variants ?? []) {
      expect(variant.key).toMatch(new RegExp(`^avatars/${publicId}/[0-9a-f]{20}/${variant.size}\\.jpg$`));
      const head = await s3.send(new HeadObjectCommand({ Bucket: stack.bucket, Key: variant.key }));
      expect(head.ContentType).toBe('image/jpeg');
      expect(head.CacheControl).toBe('public, max-age=31536000, immutable');
      const body = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: variant.key }));
      const meta = await sharp(Buffer.from(await body.Body!.transformToByteArray())).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', variant.size, variant.size]);
      expect(meta.exif).toBeUndefined();
    }
  });

  it('ignores its own outputs: an event for avatars/ writes nothing', async () => {
    const { stack, s3 } = local();
    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: 'avatars/x/y/96.jpg', Body: Buffer.from('x') }));
    const event = await stack.waitForS3Event((r) => r.s3.object.key === 'avatars/x/y/96.jpg');
    const { logger } = createMemoryLogger();
    const result = await processS3Event({ s3, config: loadNormalizeConfig({ PUBLIC_ID_SECRET: SECRET }), log: logger }, event);
    expect(result.outcomes).toEqual([{ status: 'skipped', key: 'avatars/x/y/96.jpg', reason: 'not under uploads/<userId>/' }]);
  });

  it('sends a queued job through SES with a permanent avatar URL that the edge serves', async () => {
    const { stack, s3, sqs } = local();
    const photo = await readFile(PHOTO);
    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: 'uploads/mailer/me.jpg', Body: photo }));
    const uploadEvent = await stack.waitForS3Event((r) => r.s3.object.key === 'uploads/mailer/me.jpg');
    const { logger } = createMemoryLogger();
    await processS3Event({ s3, config: loadNormalizeConfig({ PUBLIC_ID_SECRET: SECRET }), log: logger }, uploadEvent);

    const job = { id: 'job-1', from: 'app@example.com', to: ['reader@example.com'], subject: 'Hi', html: '<img src="{{avatar:mailer}}">', text: 'x {{avatar:mailer:512}}' };
    const { SendMessageCommand, ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
    await sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: JSON.stringify(job) }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.queueUrl, WaitTimeSeconds: 1 }));
    const event = toSqsEvent(received.Messages ?? [], stack.queueArn, stack.region);
    expect(event.Records).toHaveLength(1);

    const config = loadSendConfig({ AVATAR_BUCKET: stack.bucket, AVATAR_BASE_URL: stack.endpoints.edge, PUBLIC_ID_SECRET: SECRET });
    const { ses } = local();
    const response = await processSqsEvent({ s3, ses, config, urlFor: (key) => permanentUrl(config.avatarBaseUrl, key), log: logger }, event);
    expect(response.batchItemFailures).toEqual([]);

    const mail = (await sesStore(stack)).find((e) => e.messageId === response.sent[0]?.sesMessageId);
    expect(mail?.subject).toBe('Hi');
    const url = /src="([^"]+)"/.exec(mail?.body.html ?? '')?.[1] ?? '';
    expect(url).toMatch(new RegExp(`^${stack.endpoints.edge}avatars/[0-9a-f]{32}/[0-9a-f]{20}/96\\.jpg$`));
    expect(mail?.body.text).toMatch(/\/512\.jpg$/);
    const served = await fetch(url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect((await sharp(Buffer.from(await served.arrayBuffer())).metadata()).width).toBe(96);
  });

  it('reports a job that cannot be sent by its messageId and sends nothing', async () => {
    const { stack, s3, ses } = local();
    const before = (await sesStore(stack)).length;
    const config = loadSendConfig({ AVATAR_BUCKET: stack.bucket, AVATAR_BASE_URL: stack.endpoints.edge, PUBLIC_ID_SECRET: SECRET });
    const { logger, lines } = createMemoryLogger();
    const event = toSqsEvent([{ MessageId: 'm-bad', ReceiptHandle: 'r', Body: '{"id": 1}' }], stack.queueArn, stack.region);
    const response = await processSqsEvent({ s3, ses, config, urlFor: (key) => permanentUrl(config.avatarBaseUrl, key), log: logger }, event);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-bad' }]);
    expect(lines.find((l) => l.message === 'email not sent')).toMatchObject({ messageId: 'm-bad', code: 'E_JOB_INVALID' });
    expect((await sesStore(stack)).length).toBe(before);
  });

  it('never serves uploads/ or manifests/ through the avatar edge', async () => {
    const { stack } = local();
    for (const path of ['uploads/mailer/me.jpg', 'manifests/x.json', 'avatars/../uploads/mailer/me.jpg']) {
      expect((await fetch(`${stack.endpoints.edge}${path}`)).status).toBe(403);
    }
  });
});
