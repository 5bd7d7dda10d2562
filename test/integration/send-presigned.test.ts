/**
 * Pre-signed URLs of the uploaded photo, minted for real (against the local S3 and in AWS forms),
 * go through the queue and come out of SES as the permanent URL the avatar edge serves.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../shared/log';
import { DEFAULT_AVATAR_KEY } from '../../shared/mail/default-avatar-key';
import { enqueueEmail } from '../../shared/mail/enqueue';
import { processSqsEvent } from '../../shared/mail/process-sqs-event';
import { sesStore, useLocalStack } from '../helpers/local-stack';
import { publishAvatarFor, sendFixture, sesClientFor } from '../helpers/send-fixture';
import { drainQueue } from '../helpers/sqs-poller';
import { permanentUrl } from '../../shared/urls/public-url';

const amp = (url: string) => url.replace(/&/g, '&amp;');

describe('pre-signed avatar URLs in queued mails', () => {
  const local = useLocalStack();

  it('rewrites local, virtual-hosted, path-style and SigV2 pre-signed URLs of the upload to the permanent URL', async () => {
    const { stack, s3, sqs } = local();
    const uploadKey = await publishAvatarFor(stack, s3, 'carol', 'portrait photo.jpg');
    const config = await sendFixture(stack, s3);
    const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    const localSigner = new S3Client({ region: stack.region, endpoint: stack.endpoints.s3, forcePathStyle: true, credentials });
    const localUrl = await getSignedUrl(localSigner, new GetObjectCommand({ Bucket: stack.bucket, Key: uploadKey }), { expiresIn: 900 });
    // The local URL is a real, working pre-signed URL today; it would die in 15 minutes.
    expect((await fetch(localUrl)).status).toBe(200);
    // AWS endpoint forms, not the local endpoint from AWS_ENDPOINT_URL_S3.
    const awsSigner = new S3Client({ region: 'eu-west-1', credentials: { ...credentials, sessionToken: 'token' }, ignoreConfiguredEndpointUrls: true });
    const awsUrl = await getSignedUrl(awsSigner, new GetObjectCommand({ Bucket: stack.bucket, Key: uploadKey }), { expiresIn: 3600 });
    const pathUrl = await getSignedUrl(new S3Client({ region: 'us-east-1', forcePathStyle: true, credentials, ignoreConfiguredEndpointUrls: true }), new GetObjectCommand({ Bucket: stack.bucket, Key: uploadKey }), { expiresIn: 60 });
    const v2Url = `https://${stack.bucket}.s3.amazonaws.com/${uploadKey.split('/').map(encodeURIComponent).join('/')}?AWSAccessKeyId=AKIAEXAMPLE&Expires=1900000000&Signature=abc%2Bdef%3D`;
    const foreignUrl = await getSignedUrl(awsSigner, new GetObjectCommand({ Bucket: 'other-bucket', Key: 'report.pdf' }), { expiresIn: 3600 });

    await enqueueEmail(sqs, stack.queueUrl, {
      id: 'presigned-1', from: 'app@example.com', to: 'reader@example.com', subject: 'presigned',
      html: `<img src="${amp(localUrl)}" width="48"><img srcset="${amp(awsUrl)} 1x, ${amp(pathUrl)} 2x"><a href="${amp(v2Url)}">me</a>` +
        `<div style="background:url(&quot;${amp(localUrl)}&quot;)"></div><a href="${amp(foreignUrl)}">report</a><img src="{{avatar:nobody}}">`,
      text: `Me: ${localUrl}\nReport: ${foreignUrl}`,
      replyTo: 'Zoë Support <support@example.com>',
      listUnsubscribe: { url: 'https://example.com/unsub?u=1', oneClick: true },
    });
    const { logger, lines } = createMemoryLogger();
    const outcomes = await drainQueue({ sqs, queueUrl: stack.queueUrl, queueArn: stack.queueArn, region: stack.region, process: (event) => processSqsEvent({ s3, ses: sesClientFor(stack.endpoints.ses), sqs, config, urlFor: (key) => permanentUrl(config.avatarBaseUrl, key), log: logger }, event) });
    expect(outcomes).toMatchObject([{ status: 'sent', rewritten: 6 }]);

    const mail = (await sesStore(stack)).find((m) => m.subject === 'presigned');
    const html = mail?.body.html ?? '';
    // What SES received besides the bodies (the local store keeps the headers and reply-to).
    expect(mail).toMatchObject({
      replyTo: ['=?UTF-8?B?Wm/DqyBTdXBwb3J0?= <support@example.com>'],
      headers: [
        { name: 'List-Unsubscribe', value: '<https://example.com/unsub?u=1>' },
        { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      ],
    });
    const permanent = [...html.matchAll(/(?:src|srcset|href)="([^"]+?)(?: 1x, ([^"]+) 2x)?"/g)].flatMap((m) => [m[1], m[2]]).filter((u): u is string => u !== undefined);
    const own = permanent.filter((u) => u.startsWith(stack.endpoints.edge) && !u.endsWith(DEFAULT_AVATAR_KEY));
    expect(own).toHaveLength(4);
    expect(new Set(own).size).toBe(1);
    expect(own[0]).toMatch(new RegExp(`^${stack.endpoints.edge}avatars/[0-9a-f]{32}/[0-9a-f]{20}/96\\.jpg$`));
    expect(html).toContain(`background:url(&quot;${own[0]}&quot;)`);
    expect(html).toContain(amp(foreignUrl));
    expect(html.replace(amp(foreignUrl), '')).not.toMatch(/X-Amz-|AWSAccessKeyId|Signature=/);
    expect(mail?.body.text).toBe(`Me: ${own[0]}\nReport: ${foreignUrl}`);
    expect(lines.find((l) => l.message === 'signed URL left in mail')).toMatchObject({ location: 'https://other-bucket.s3.eu-west-1.amazonaws.com/report.pdf', signature: 'sigv4', expired: false, expiresAt: expect.any(String) });

    // What the reader's mail client gets: the avatar and the default avatar, both through the public edge.
    const avatar = await fetch(own[0] ?? '');
    expect([avatar.status, avatar.headers.get('content-type'), avatar.headers.get('cache-control')]).toEqual([200, 'image/jpeg', 'public, max-age=31536000, immutable']);
    const fallback = await fetch(`${stack.endpoints.edge}${DEFAULT_AVATAR_KEY}`);
    expect([fallback.status, fallback.headers.get('content-type'), fallback.headers.get('cache-control')]).toEqual([200, 'image/png', 'public, max-age=31536000, immutable']);
    expect(html).toContain(`<img src="${stack.endpoints.edge}${DEFAULT_AVATAR_KEY}">`);
    localSigner.destroy();
    awsSigner.destroy();
  });

  it('a pre-signed URL of a published variant (avatars/<publicId>/...) is rewritten to the current avatar of that user at the size in the key', async () => {
    const { stack, s3, sqs } = local();
    await publishAvatarFor(stack, s3, 'dave', 'one.jpg');
    const config = await sendFixture(stack, s3);
    const { GetObjectCommand: Get } = await import('@aws-sdk/client-s3');
    const { parseManifest } = await import('../../shared/avatar/manifest');
    const { manifestKey, publicIdFor } = await import('../../shared/keys');
    const { SECRET } = await import('../helpers/send-fixture');
    const manifest = parseManifest(await (await s3.send(new Get({ Bucket: stack.bucket, Key: manifestKey(publicIdFor('dave', { mode: 'hmac', secret: SECRET })) }))).Body!.transformToString());
    // The largest variant (not the default 96) shows the size is taken from the key.
    const variant512 = manifest.current?.variants.filter((v) => v.format === 'jpeg').at(-1)?.key ?? '';
    expect(variant512).toMatch(/\/(192|512)\.jpg$/);
    const signer = new S3Client({ region: 'us-west-2', useAccelerateEndpoint: true, credentials: { accessKeyId: 'A', secretAccessKey: 'B' }, ignoreConfiguredEndpointUrls: true });
    const url = await getSignedUrl(signer, new GetObjectCommand({ Bucket: stack.bucket, Key: variant512 }), { expiresIn: 600 });
    await enqueueEmail(sqs, stack.queueUrl, { id: 'presigned-variant', from: 'app@example.com', to: 'r@example.com', subject: 'variant', html: `<img src="${amp(url)}">` });
    const { logger } = createMemoryLogger();
    await drainQueue({ sqs, queueUrl: stack.queueUrl, queueArn: stack.queueArn, region: stack.region, process: (event) => processSqsEvent({ s3, ses: sesClientFor(stack.endpoints.ses), sqs, config, urlFor: (key) => permanentUrl(config.avatarBaseUrl, key), log: logger }, event) });
    const mail = (await sesStore(stack)).find((m) => m.subject === 'variant');
    expect(mail?.body.html).toBe(`<img src="${stack.endpoints.edge}${variant512}">`);
    signer.destroy();
  });
  it('an SES stored template gets avatar URLs in its data, and pre-signed URLs in the data rewritten', async () => {
    const { stack, s3, sqs, ses } = local();
    await publishAvatarFor(stack, s3, 'erin');
    const config = await sendFixture(stack, s3);
    const { CreateEmailTemplateCommand } = await import('@aws-sdk/client-sesv2');
    await ses.send(new CreateEmailTemplateCommand({
      TemplateName: 'CommentNotice',
      TemplateContent: { Subject: 'Comment from {{name}}', Html: '<img src="{{authorAvatar}}"> <img src="{{photo}}"> {{name}}', Text: '{{name}}: {{authorAvatar}}' },
    }));
    const signer = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'A', secretAccessKey: 'B' }, ignoreConfiguredEndpointUrls: true });
    const photo = await getSignedUrl(signer, new GetObjectCommand({ Bucket: stack.bucket, Key: 'uploads/erin/me.jpg' }), { expiresIn: 600 });
    await enqueueEmail(sqs, stack.queueUrl, {
      id: 'template-1', from: 'app@example.com', to: 'r@example.com', template: 'CommentNotice',
      data: { name: 'Erin', photo }, avatars: { authorAvatar: { userId: 'erin', size: 48 } }, tags: { kind: 'comment' },
    });
    const { logger } = createMemoryLogger();
    const outcomes = await drainQueue({ sqs, queueUrl: stack.queueUrl, queueArn: stack.queueArn, region: stack.region, process: (event) => processSqsEvent({ s3, ses: sesClientFor(stack.endpoints.ses), sqs, config, urlFor: (key) => permanentUrl(config.avatarBaseUrl, key), log: logger }, event) });
    expect(outcomes).toMatchObject([{ status: 'sent', rewritten: 1 }]);
    const mail = (await sesStore(stack)).find((m) => m.subject === 'Comment from Erin');
    const urls = [...(mail?.body.html ?? '').matchAll(/src="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(urls).toHaveLength(2);
    expect(urls[0]).toMatch(new RegExp(`^${stack.endpoints.edge}avatars/[0-9a-f]{32}/[0-9a-f]{20}/48\\.jpg$`));
    expect(urls[1]).toMatch(/\/96\.jpg$/);
    expect(mail?.body.html).not.toMatch(/X-Amz-/);
    signer.destroy();
  });

  it('sends (not retries) a job whose avatars are only in the subject or in a pre-signed URL that variables complete', async () => {
    const { stack, s3, sqs } = local();
    await publishAvatarFor(stack, s3, 'fran');
    const config = await sendFixture(stack, s3);
    const signer = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'A', secretAccessKey: 'B' }, ignoreConfiguredEndpointUrls: true });
    const signed = new URL(await getSignedUrl(signer, new GetObjectCommand({ Bucket: stack.bucket, Key: 'uploads/fran/p.jpg' }), { expiresIn: 600 }));
    await enqueueEmail(sqs, stack.queueUrl, {
      id: 'walk-1', from: 'app@example.com', to: 'r@example.com', subject: 'New photo of {{avatar:fran}}',
      html: `<img src="https://${signed.host}/uploads/{{uid}}/p.jpg?{{q}}">`, data: { uid: 'fran', q: signed.search.slice(1) },
    });
    const { logger } = createMemoryLogger();
    const outcomes = await drainQueue({ sqs, queueUrl: stack.queueUrl, queueArn: stack.queueArn, region: stack.region, process: (event) => processSqsEvent({ s3, ses: sesClientFor(stack.endpoints.ses), sqs, config, urlFor: (key) => permanentUrl(config.avatarBaseUrl, key), log: logger }, event) });
    expect(outcomes).toMatchObject([{ status: 'sent', rewritten: 1 }]);
    const mail = (await sesStore(stack)).find((m) => m.subject.startsWith('New photo of '));
    const avatar = mail?.subject.slice('New photo of '.length) ?? '';
    expect(avatar).toMatch(new RegExp(`^${stack.endpoints.edge}avatars/[0-9a-f]{32}/[0-9a-f]{20}/96\\.jpg$`));
    expect(mail?.body.html).toBe(`<img src="${avatar}">`);
    signer.destroy();
  });
});
