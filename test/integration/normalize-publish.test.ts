/**
 * Publishing against the local S3 (s3rver): variants + manifest, re-delivery, rejections,
 * out-of-order events, injected faults between writes, lost manifest races and retention.
 */
import { isMissingObject } from '../../shared/s3-io';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { type AvatarManifest, parseManifest } from '../../shared/avatar/manifest';
import { processS3Event } from '../../shared/avatar/process-s3-event';
import { publishUpload } from '../../shared/avatar/publish';
import { listKeys, type PutObjectFn, sendPutObject } from '../../shared/avatar/s3-objects';
import { loadNormalizeConfig } from '../../shared/config';
import { avatarPrefixFor, manifestKey, publicIdFor } from '../../shared/keys';
import { createMemoryLogger } from '../../shared/log';
import { encodeS3EventKey } from '../../shared/s3-event';
import { type StackHandle, useLocalStack } from '../helpers/local-stack';

const SECRET = 'normalize-publish-secret-0123456789';
const fixture = (name: string): Promise<Buffer> => readFile(new URL(`../fixtures/${name}`, import.meta.url));
const config = (extra: Record<string, string> = {}) => loadNormalizeConfig({ PUBLIC_ID_SECRET: SECRET, ...extra });
const publicIdOf = (userId: string): string => publicIdFor(userId, { mode: 'hmac', secret: SECRET });

async function upload(handle: StackHandle, key: string, body: Buffer) {
  await handle.s3.send(new PutObjectCommand({ Bucket: handle.stack.bucket, Key: key, Body: body }));
  return handle.stack.waitForS3Event((r) => r.eventName.startsWith('ObjectCreated') && r.s3.object.key === encodeS3EventKey(key));
}

async function manifestOf(handle: StackHandle, userId: string): Promise<AvatarManifest | undefined> {
  try {
    const object = await handle.s3.send(new GetObjectCommand({ Bucket: handle.stack.bucket, Key: manifestKey(publicIdOf(userId)) }));
    return parseManifest(await object.Body!.transformToString());
  } catch (error) {
    // Only "no manifest" is an answer; anything else must fail the test with its cause.
    if (isMissingObject(error)) return undefined;
    throw error;
  }
}

const avatarKeys = (handle: StackHandle, userId: string): Promise<string[]> => listKeys(handle.s3, handle.stack.bucket, avatarPrefixFor(publicIdOf(userId)));

/** Colour swatches: distinct images (and so distinct content hashes) on demand. */
const swatch = (colour: string): Promise<Buffer> => sharp({ create: { width: 300, height: 300, channels: 3, background: colour } }).jpeg().toBuffer();

describe('normalize-avatar publishing, against the local S3', () => {
  const local = useLocalStack();

  it('publishes JPEG and PNG for a transparent upload: bytes, extension and Content-Type agree; manifest records the source', async () => {
    const handle = local();
    const event = await upload(handle, 'uploads/logo-user/avatar.jpg', await fixture('real_palette_trns_debian_logo.png'));
    const { logger } = createMemoryLogger();
    const result = await processS3Event({ s3: handle.s3, config: config(), log: logger }, event);
    expect(result.outcomes[0]).toMatchObject({ status: 'published', userId: 'logo-user' });

    const manifest = await manifestOf(handle, 'logo-user');
    expect(manifest?.current?.source).toEqual({ format: 'png', width: 256, height: 256 });
    expect(manifest?.current?.variants.map((v) => `${v.size}.${v.format}`)).toEqual(['48.jpeg', '48.png', '96.jpeg', '96.png', '192.jpeg', '192.png', '512.jpeg', '512.png']);
    for (const variant of manifest?.current?.variants ?? []) {
      const head = await handle.s3.send(new HeadObjectCommand({ Bucket: handle.stack.bucket, Key: variant.key }));
      const body = Buffer.from(await (await handle.s3.send(new GetObjectCommand({ Bucket: handle.stack.bucket, Key: variant.key }))).Body!.transformToByteArray());
      const meta = await sharp(body).metadata();
      expect(head.ContentType).toBe(variant.format === 'png' ? 'image/png' : 'image/jpeg');
      expect(variant.key.endsWith(variant.format === 'png' ? '.png' : '.jpg')).toBe(true);
      expect(meta.format).toBe(variant.format);
      expect(body.length).toBe(variant.bytes);
    }
  });

  it('a re-delivered event is a no-op: same keys, manifest untouched', async () => {
    const handle = local();
    const event = await upload(handle, 'uploads/again/me.jpg', await fixture('real_wizard_progressive.jpg'));
    const { logger } = createMemoryLogger();
    const deps = { s3: handle.s3, config: config(), log: logger };
    expect((await processS3Event(deps, event)).outcomes[0]?.status).toBe('published');
    const keys = await avatarKeys(handle, 'again');
    const manifestEtag = (await handle.s3.send(new HeadObjectCommand({ Bucket: handle.stack.bucket, Key: manifestKey(publicIdOf('again')) }))).ETag;

    const writes: string[] = [];
    const counting: PutObjectFn = async (s3, input) => {
      writes.push(input.Key ?? '');
      await sendPutObject(s3, input);
    };
    expect((await processS3Event({ ...deps, putObject: counting }, event)).outcomes[0]?.status).toBe('unchanged');
    expect(writes).toEqual([]);
    expect(await avatarKeys(handle, 'again')).toEqual(keys);
    expect((await handle.s3.send(new HeadObjectCommand({ Bucket: handle.stack.bucket, Key: manifestKey(publicIdOf('again')) }))).ETag).toBe(manifestEtag);
  });

  it('rejects an HTML file named .jpg: one JSON log line with code, key and user id, lastRejection, no variants', async () => {
    const handle = local();
    const event = await upload(handle, 'uploads/html-user/photo.jpg', Buffer.from('<!DOCTYPE html><html><body>403 Forbidden</body></html>'));
    const { logger, lines } = createMemoryLogger();
    const result = await processS3Event({ s3: handle.s3, config: config(), log: logger }, event);
    expect(result.outcomes[0]).toMatchObject({ status: 'rejected', code: 'E_FORMAT_TEXT' });
    const rejections = lines.filter((l) => l.message === 'avatar rejected');
    expect(rejections).toHaveLength(1);
    expect(rejections[0]).toMatchObject({ level: 'warn', code: 'E_FORMAT_TEXT', key: 'uploads/html-user/photo.jpg', userId: 'html-user' });
    expect(String(rejections[0]?.reason)).toContain('HTML');
    expect(lines.some((l) => JSON.stringify(l).includes('    at '))).toBe(false); // no stack traces
    const manifest = await manifestOf(handle, 'html-user');
    expect(manifest?.lastRejection).toMatchObject({ code: 'E_FORMAT_TEXT', sourceKey: 'uploads/html-user/photo.jpg' });
    expect(manifest?.current).toBeNull();
    expect(await avatarKeys(handle, 'html-user')).toEqual([]);
  });

  it('the newer upload wins when its event is processed first (ordered by sequencer, not arrival)', async () => {
    const handle = local();
    const older = await upload(handle, 'uploads/racer/first.jpg', await swatch('#c03030'));
    const newer = await upload(handle, 'uploads/racer/second.jpg', await swatch('#3030c0'));
    const { logger } = createMemoryLogger();
    const deps = { s3: handle.s3, config: config(), log: logger };
    expect((await processS3Event(deps, newer)).outcomes[0]?.status).toBe('published');
    expect((await processS3Event(deps, older)).outcomes[0]).toMatchObject({ status: 'superseded', currentSourceKey: 'uploads/racer/second.jpg' });
    const manifest = await manifestOf(handle, 'racer');
    expect(manifest?.current?.sourceKey).toBe('uploads/racer/second.jpg');
    expect(manifest?.previous).toEqual([]);
    const hashes = new Set((await avatarKeys(handle, 'racer')).map((key) => key.split('/')[2]));
    expect([...hashes]).toEqual([manifest?.current?.contentHash]);
  });

  it('an overwritten upload key ends with the newest bytes whatever order its two events arrive in', async () => {
    const handle = local();
    const key = 'uploads/overwriter/me.jpg';
    await upload(handle, key, await swatch('#e0a000'));
    await handle.s3.send(new PutObjectCommand({ Bucket: handle.stack.bucket, Key: key, Body: await swatch('#00a0e0') }));
    await handle.stack.waitForS3Event((r) => r.s3.object.key === encodeS3EventKey(key) && handle.stack.s3Events.filter((e) => e.s3.object.key === r.s3.object.key).length === 2);
    const [first, second] = handle.stack.s3Events.filter((r) => r.s3.object.key === encodeS3EventKey(key));
    const { logger } = createMemoryLogger();
    const deps = { s3: handle.s3, config: config(), log: logger };
    expect((await processS3Event(deps, { Records: [second!] })).outcomes[0]?.status).toBe('published');
    // The late first event reads the same (already overwritten) object: nothing changes.
    expect((await processS3Event(deps, { Records: [first!] })).outcomes[0]?.status).toBe('unchanged');
    const manifest = await manifestOf(handle, 'overwriter');
    const variant = manifest?.current?.variants.find((v) => v.size === 48);
    const body = Buffer.from(await (await handle.s3.send(new GetObjectCommand({ Bucket: handle.stack.bucket, Key: variant!.key }))).Body!.transformToByteArray());
    const { dominant } = await sharp(body).stats();
    expect(dominant.b).toBeGreaterThan(dominant.r); // the blue second upload, not the orange first
    expect(manifest?.current?.sequencer).toBe(second!.s3.object.sequencer);
  });

  it('a failure between variant writes leaves no partial version (fault injected into putObject), and the retry publishes', async () => {
    const handle = local();
    const event = await upload(handle, 'uploads/crashy/me.jpg', await fixture('real_wizard_progressive.jpg'));
    let variantWrites = 0;
    const failOnThird: PutObjectFn = async (s3, input: PutObjectCommandInput) => {
      if (input.Key?.startsWith('avatars/') === true && ++variantWrites === 3) throw Object.assign(new Error('connection reset'), { name: 'ECONNRESET' });
      await sendPutObject(s3, input);
    };
    const { logger, lines } = createMemoryLogger();
    const deps = { s3: handle.s3, config: config(), log: logger };
    await expect(processS3Event({ ...deps, putObject: failOnThird }, event)).rejects.toMatchObject({ code: 'E_RETRY', kind: 'retryable' });
    expect(variantWrites).toBe(3);
    expect(await avatarKeys(handle, 'crashy')).toEqual([]);
    expect(await manifestOf(handle, 'crashy')).toBeUndefined();
    expect(lines.find((l) => l.message === 'avatar processing failed')).toMatchObject({ userId: 'crashy', kind: 'retryable' });

    expect((await processS3Event(deps, event)).outcomes[0]?.status).toBe('published');
    expect(await avatarKeys(handle, 'crashy')).toHaveLength(4);
  });

  it('a lost manifest race (real 412 on If-Match from the local S3) is re-read and decided again', async () => {
    const handle = local();
    const slow = await upload(handle, 'uploads/contended/slow.jpg', await swatch('#20a020'));
    const fast = await upload(handle, 'uploads/contended/fast.jpg', await swatch('#a020a0'));
    const { logger } = createMemoryLogger();
    const deps = { s3: handle.s3, config: config(), log: logger };
    let raced = false;
    const racing: PutObjectFn = async (s3: S3Client, input) => {
      if (!raced && input.Key === manifestKey(publicIdOf('contended'))) {
        raced = true;
        // Another invocation publishes the newer upload between our read and our write.
        await processS3Event(deps, fast);
        // Our conditional write now carries a stale ETag (or If-None-Match on a key that exists): S3 answers 412.
        expect(input.IfMatch ?? input.IfNoneMatch).toBeDefined();
      }
      await sendPutObject(s3, input);
    };
    const record = slow.Records[0]!;
    const outcome = await publishUpload(
      { ...deps, putObject: racing },
      { bucket: handle.stack.bucket, key: 'uploads/contended/slow.jpg', userId: 'contended', sequencer: record.s3.object.sequencer ?? '', eventTime: record.eventTime },
    );
    expect(outcome).toMatchObject({ status: 'superseded', currentSourceKey: 'uploads/contended/fast.jpg' });
    const manifest = await manifestOf(handle, 'contended');
    expect(manifest?.current?.sourceKey).toBe('uploads/contended/fast.jpg');
    // The loser's variants were removed: only the winner's hash remains.
    expect(new Set((await avatarKeys(handle, 'contended')).map((key) => key.split('/')[2]))).toEqual(new Set([manifest?.current?.contentHash]));
  });

  it('RETAIN_VERSIONS=1 keeps one superseded version and deletes older ones after the manifest moved on', async () => {
    const handle = local();
    const { logger } = createMemoryLogger();
    const deps = { s3: handle.s3, config: config({ RETAIN_VERSIONS: '1' }), log: logger };
    for (const [name, colour] of [['one', '#101010'], ['two', '#505050'], ['three', '#909090']] as const) {
      expect((await processS3Event(deps, await upload(handle, `uploads/keeper/${name}.jpg`, await swatch(colour)))).outcomes[0]?.status).toBe('published');
    }
    const manifest = await manifestOf(handle, 'keeper');
    expect(manifest?.current?.sourceKey).toBe('uploads/keeper/three.jpg');
    expect(manifest?.previous.map((v) => v.sourceKey)).toEqual(['uploads/keeper/two.jpg']);
    const expected = [...(manifest?.current?.variants ?? []), ...(manifest?.previous[0]?.variants ?? [])].map((v) => v.key).sort();
    expect((await avatarKeys(handle, 'keeper')).sort()).toEqual(expected);
  });

  it('keeps every superseded version by default (old mails keep their avatar)', async () => {
    const handle = local();
    const { logger } = createMemoryLogger();
    const deps = { s3: handle.s3, config: config(), log: logger };
    for (const [name, colour] of [['a', '#102030'], ['b', '#304050'], ['c', '#506070']] as const) {
      await processS3Event(deps, await upload(handle, `uploads/hoarder/${name}.jpg`, await swatch(colour)));
    }
    const manifest = await manifestOf(handle, 'hoarder');
    expect(manifest?.previous.map((v) => v.sourceKey)).toEqual(['uploads/hoarder/b.jpg', 'uploads/hoarder/a.jpg']);
    expect(await avatarKeys(handle, 'hoarder')).toHaveLength(12);
  });
});
