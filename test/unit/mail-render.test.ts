import { GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import type { AvatarManifest } from '../../shared/avatar/manifest';
import { publicIdFor } from '../../shared/keys';
import type { ManifestEntry } from '../../shared/mail/avatar-resolver';
import { type EmailJob, parseEmailJob } from '../../shared/mail/job';
import { avatarRequestsOf, type RenderDeps, renderEmail } from '../../shared/mail/render';
import { escapeHtml } from '../../shared/mail/html-escape';
import { findUrls } from '../../shared/mail/url-scanner';
import { cloudfrontSignedUrlStrategy } from '../../shared/urls/cloudfront-signed-url';
import { permanentUrl } from '../../shared/urls/public-url';
import { throwawayKeyPair } from '../helpers/cloudfront-signature';

const BUCKET = 'evergreen-avatars-prod';
const BASE = 'https://avatars.example.com/';
const scheme = { mode: 'hmac', secret: 'unit-test-secret-0123456789' } as const;
const PID = publicIdFor('u1', scheme);

function manifest(userId: string, current: boolean, rejected = false): AvatarManifest {
  const publicId = publicIdFor(userId, scheme);
  const variant = (size: number) => ({ size, format: 'jpeg' as const, key: `avatars/${publicId}/abcdefabcdefabcdefab/${size}.jpg`, width: size, height: size, bytes: 1 });
  return {
    schemaVersion: 1, userId, publicId, previous: [], updatedAt: '',
    current: current ? { contentHash: 'abcdefabcdefabcdefab', sourceKey: '', sequencer: '', createdAt: '', source: {} as never, variants: [48, 96, 192, 512].map(variant) } : null,
    lastRejection: rejected ? { code: 'E_FORMAT', message: 'svg', sourceKey: '', at: '' } : null,
  };
}

const lookup = new Map<string, ManifestEntry>([
  [PID, { status: 'found', manifest: manifest('u1', true) }],
  [publicIdFor('rejected', scheme), { status: 'found', manifest: manifest('rejected', false, true) }],
  [publicIdFor('broken', scheme), { status: 'unreadable', reason: 'bad json' }],
  [publicIdFor('s3down', scheme), { status: 'unavailable', reason: 'ECONNRESET' }],
  [publicIdFor('nobody', scheme), { status: 'missing' }],
  [publicIdFor('ghost', scheme), { status: 'missing' }],
]);
const deps: RenderDeps = {
  lookup,
  presigned: { avatarBucket: BUCKET, customHosts: [] },
  publicId: scheme,
  defaultAvatarSize: 96,
  urlFor: (key) => permanentUrl(BASE, key),
  defaultAvatarUrl: `${BASE}avatars/default/v1/256.png`,
};
const current = (size: number) => `${BASE}avatars/${PID}/abcdefabcdefabcdefab/${size}.jpg`;
const DEFAULT = `${BASE}avatars/default/v1/256.png`;

const job = (fields: Record<string, unknown>): EmailJob =>
  parseEmailJob(JSON.stringify({ id: 'j', from: 'a@example.com', to: 'b@example.com', subject: 'S', ...fields }));

async function presign(config: S3ClientConfig, key: string, bucket = BUCKET): Promise<string> {
  const client = new S3Client({ ...config, credentials: { accessKeyId: 'ASIAX', secretAccessKey: 's', sessionToken: 't' } });
  return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 600 });
}
const amp = (url: string) => url.replace(/&/g, '&amp;');

describe('rendering a mail', () => {
  it('resolves placeholders to the current variant, escaped in html and raw in text', () => {
    const out = renderEmail(job({ html: '<img src="{{avatar:u1}}"><img src="{{avatar:u1:192}}">', text: 'see {{avatar:u1:40}}' }), deps);
    expect(out.content).toEqual({ kind: 'inline', subject: 'S', html: `<img src="${current(96)}"><img src="${current(192)}">`, text: `see ${current(48)}` });
  });

  it('gives users without an avatar, with a rejected one or an unreadable manifest the default avatar, never a blank', () => {
    const out = renderEmail(job({ html: '{{avatar:nobody}} {{avatar:rejected}} {{avatar:broken}}' }), deps);
    expect(out.content.kind === 'inline' && out.content.html).toBe(`${DEFAULT} ${DEFAULT} ${DEFAULT}`);
    expect(out.report.avatars.map((a) => a.source === 'default' && a.reason)).toEqual(['no-manifest', 'rejected', 'unreadable-manifest']);
  });

  it('waits (retryable) when a manifest could not be read, rather than sending a wrong picture', () => {
    expect(() => renderEmail(job({ html: '{{avatar:s3down}}' }), deps)).toThrow(expect.objectContaining({ kind: 'retryable', code: 'E_MANIFEST_UNAVAILABLE' }));
  });

  it('HTML-escapes variables in html only, and refuses missing or non-scalar ones', () => {
    const out = renderEmail(job({ subject: 'From {{name}}', html: '<b>{{name}}</b> {{n}}', text: '{{name}}', data: { name: '<script>"x"&</script>', n: 3 } }), deps);
    expect(out.content).toMatchObject({ subject: 'From <script>"x"&</script>', html: '<b>&lt;script&gt;&quot;x&quot;&amp;&lt;/script&gt;</b> 3', text: '<script>"x"&</script>' });
    expect(() => renderEmail(job({ html: '{{missing}} {{obj}}', data: { obj: { a: 1 } } }), deps)).toThrow(
      expect.objectContaining({ kind: 'permanent', code: 'E_JOB_VARIABLE', message: expect.stringMatching(/\{\{missing\}\} has no value.*\{\{obj\}\} is not a string/) }),
    );
  });

  it('refuses (permanently) a mail that would keep literal placeholders, naming each token and field', () => {
    const repro = job({ html: '<img src="{{avatar:a b}}"> {{ first-name }} {{avatar:alice:big}}', data: { 'first-name': 'x' } });
    expect(() => renderEmail(repro, deps)).toThrow(expect.objectContaining({
      kind: 'permanent',
      code: 'E_JOB_PLACEHOLDER',
      message: expect.stringContaining('html: {{avatar:a b}}, {{ first-name }}, {{avatar:alice:big}}'),
    }));
    expect(() => renderEmail(job({ subject: 'Hi {{user name}}', text: 'see {{avatar:u1:}}', html: '<b>{{avatar:u1}}</b>' }), deps)).toThrow(
      expect.objectContaining({ code: 'E_JOB_PLACEHOLDER', message: expect.stringMatching(/subject: \{\{user name\}\}; text: \{\{avatar:u1:\}\}$/) }),
    );
    // Percent-encoded ids are well-formed; braces inside a variable's value are the value's business.
    const fine = renderEmail(job({ html: '{{avatar:u%31}} {{comment}}', data: { comment: 'I {{love}} {{avatar:x y}}' } }), deps);
    expect(fine.content).toMatchObject({ html: `${current(96)} I {{love}} {{avatar:x y}}` });
  });

  it('checks only our avatar placeholders in SES template data (SES renders the template itself)', () => {
    const template = (data: Record<string, unknown>) => parseEmailJob(JSON.stringify({ id: 'j', from: 'a@example.com', to: 'b@example.com', template: 'Welcome', data }));
    expect(renderEmail(template({ greeting: '{{ first-name }}', pic: '{{avatar:u1}}' }), deps).content.kind).toBe('template');
    expect(() => renderEmail(template({ list: [{ pic: '{{avatar:u1:big}}' }] }), deps)).toThrow(
      expect.objectContaining({ code: 'E_JOB_PLACEHOLDER', message: expect.stringContaining('data: {{avatar:u1:big}}') }),
    );
  });

  it('rejects a subject that a variable turns into two lines', () => {
    expect(() => renderEmail(job({ subject: 'Hi {{name}}', text: 'x', data: { name: 'a\r\nBcc: victim@example.com' } }), deps)).toThrow(
      expect.objectContaining({ code: 'E_HEADER_INJECTION', kind: 'permanent' }),
    );
  });

  it('refuses (E_JOB_SUBJECT_TOO_LONG) a subject longer than 998 characters once variables are filled in', () => {
    expect(() => renderEmail(job({ subject: 'x {{v}}', text: 'y', data: { v: 'a'.repeat(5000) } }), deps)).toThrow(
      expect.objectContaining({ kind: 'permanent', code: 'E_JOB_SUBJECT_TOO_LONG', message: expect.stringContaining('5002 characters') }),
    );
    const fits = renderEmail(job({ subject: '{{v}}', text: 'y', data: { v: 'a'.repeat(998) } }), deps);
    expect(fits.content.kind === 'inline' && fits.content.subject.length).toBe(998);
  });

  it('rewrites our pre-signed URLs in src, srcset, href, background, CSS url() and text; leaves and counts others', async () => {
    const upload = await presign({ region: 'eu-west-1' }, 'uploads/u1/me.jpg');
    const uploadPath = await presign({ region: 'us-east-1', forcePathStyle: true }, 'uploads/u1/me.jpg');
    const variant = await presign({ region: 'eu-west-1', useDualstackEndpoint: true }, `avatars/${PID}/abcdefabcdefabcdefab/512.jpg`);
    const accelerate = await presign({ region: 'us-west-2', useAccelerateEndpoint: true }, 'uploads/u1/other.png');
    const unknownUser = await presign({ region: 'eu-west-1' }, 'uploads/ghost/x.jpg');
    const foreign = await presign({ region: 'eu-west-1' }, 'report.pdf', 'another-bucket');
    const html = [
      `<img src="${amp(upload)}" width="48">`,
      `<img srcset="${amp(uploadPath)} 1x, ${amp(variant)} 2x">`,
      `<a href="${amp(upload)}">profile</a>`,
      `<td background="${amp(accelerate)}">`,
      `<div style="background-image:url(${amp(upload)})"></div>`,
      `<div style="background:url('${amp(variant)}')"></div>`,
      `<div style="background:url(&quot;${amp(upload)}&quot;)"></div>`,
      `<style>.a{background:url("${upload}")}</style>`,
      `<img src="${amp(unknownUser)}">`,
      `<a href="${amp(foreign)}">report</a>`,
    ].join('\n');
    const out = renderEmail(job({ html, text: `Photo: ${upload}. Report: ${foreign}` }), deps);
    if (out.content.kind !== 'inline') throw new Error('inline expected');
    const lines = (out.content.html ?? '').split('\n');
    expect(lines.slice(0, 9)).toEqual([
      `<img src="${current(96)}" width="48">`,
      `<img srcset="${current(96)} 1x, ${current(512)} 2x">`,
      `<a href="${current(96)}">profile</a>`,
      `<td background="${current(96)}">`,
      `<div style="background-image:url(${current(96)})"></div>`,
      `<div style="background:url('${current(512)}')"></div>`,
      `<div style="background:url(&quot;${current(96)}&quot;)"></div>`,
      `<style>.a{background:url("${current(96)}")}</style>`,
      `<img src="${DEFAULT}">`,
    ]);
    expect(lines[9]).toBe(`<a href="${amp(foreign)}">report</a>`);
    expect(out.content.text).toBe(`Photo: ${current(96)}. Report: ${foreign}`);
    expect(out.report.rewritten).toBe(11);
    expect(out.report.foreign.map((f) => f.location)).toEqual(['https://another-bucket.s3.eu-west-1.amazonaws.com/report.pdf', 'https://another-bucket.s3.eu-west-1.amazonaws.com/report.pdf']);
    expect(out.report.foreign[0]?.expiresAt).toBeInstanceOf(Date);
  });

  it('collects every avatar a job refers to (placeholders, avatars fields, pre-signed URLs in bodies and data)', async () => {
    const upload = await presign({ region: 'eu-west-1' }, 'uploads/u9/me.jpg');
    const requests = avatarRequestsOf(job({ html: `{{avatar:u1}} <img src="${amp(upload)}">`, text: '{{avatar:u2:48}}', data: { list: [{ pic: upload }] }, avatars: { me: { userId: 'u3' } } }), deps.presigned);
    // In walk order: avatars fields, html placeholders, html URLs, text. data.list is not used by the mail.
    expect(requests.map((r) => (r.target.by === 'user' ? r.target.userId : r.target.publicId))).toEqual(['u3', 'u1', 'u9', 'u2']);
  });

  it('looks up the avatars of the subject and of pre-signed URLs that only variables complete (same walk as rendering)', () => {
    const v4 = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAX%2F20261201%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261201T120000Z&X-Amz-Expires=604800&X-Amz-SignedHeaders=host&X-Amz-Signature=abcdef0123';
    const j = job({
      subject: 'New photo of {{avatar:u1}}',
      html: `<img src="https://${BUCKET}.s3.amazonaws.com/uploads/{{uid}}/p.jpg?{{q}}">`,
      data: { uid: 'u1', q: v4 },
    });
    const ids = avatarRequestsOf(j, deps.presigned).map((r) => (r.target.by === 'user' ? publicIdFor(r.target.userId, scheme) : r.target.publicId));
    const onlyRequested = new Map([...lookup].filter(([id]) => ids.includes(id)));
    const out = renderEmail(j, { ...deps, lookup: onlyRequested });
    expect(out.content).toMatchObject({ subject: `New photo of ${current(96)}`, html: `<img src="${current(96)}">` });
    expect(out.report.rewritten).toBe(1);
  });

  it('rewrites a pre-signed copy of an avatar URL it also inserts, and leaves text that looks like its internal markers alone', async () => {
    const s3Base = `https://${BUCKET}.s3.eu-west-1.amazonaws.com/`;
    const s3Deps: RenderDeps = { ...deps, urlFor: (key) => permanentUrl(s3Base, key) };
    const variant = `avatars/${PID}/abcdefabcdefabcdefab/96.jpg`;
    const signedVariant = await presign({ region: 'eu-west-1' }, variant);
    const j = job({ html: `{{avatar:u1}} <img src="${amp(signedVariant)}"> \uE0000:0\uE001`, text: 'x \uE0000:0\uE001' });
    expect(avatarRequestsOf(j, s3Deps.presigned).map((r) => r.target)).toEqual([{ by: 'user', userId: 'u1' }, { by: 'publicId', publicId: PID }]);
    const out = renderEmail(j, s3Deps);
    expect(out.content).toMatchObject({ html: `${s3Base}${variant} <img src="${s3Base}${variant}"> \uE0000:0\uE001`, text: 'x \uE0000:0\uE001' });
    expect(out.report).toMatchObject({ rewritten: 1, foreign: [] });
  });

  it('fails permanently (E_INTERNAL_AVATAR_NOT_LOOKED_UP), not with a retry, for an avatar that was never looked up', () => {
    expect(() => renderEmail(job({ html: '{{avatar:u1}}' }), { ...deps, lookup: new Map() })).toThrow(
      expect.objectContaining({ kind: 'permanent', code: 'E_INTERNAL_AVATAR_NOT_LOOKED_UP' }),
    );
  });

  it('adds avatar URLs to SES template data and rewrites pre-signed URLs inside it', async () => {
    const upload = await presign({ region: 'eu-west-1' }, 'uploads/u1/me.jpg');
    const t = parseEmailJob(JSON.stringify({
      id: 'j', from: 'a@example.com', to: 'b@example.com', template: 'Welcome',
      data: { name: 'Zoë', photo: upload, nested: [{ pic: '{{avatar:nobody}}' }] }, avatars: { authorAvatar: { userId: 'u1', size: 192 } },
    }));
    const out = renderEmail(t, deps);
    expect(out.content.kind).toBe('template');
    if (out.content.kind !== 'template') return;
    expect(JSON.parse(out.content.templateData)).toEqual({ name: 'Zoë', photo: current(96), nested: [{ pic: DEFAULT }], authorAvatar: current(192) });
  });
});

describe('rendering in cloudfront-signed mode', () => {
  const { privateKey } = throwawayKeyPair();
  const signed = cloudfrontSignedUrlStrategy({ baseUrl: 'https://d111.cloudfront.net/', keyPairId: 'K2JCJMDEHXQW5F', privateKey, expiryYears: 10 });
  const signedDeps: RenderDeps = { ...deps, urlFor: signed.urlFor, defaultAvatarUrl: signed.urlFor('avatars/default/v1/256.png') };

  it('does not count the signed avatar URLs it inserted as signed URLs left in the mail', async () => {
    const foreign = await presign({ region: 'eu-west-1' }, 'report.pdf', 'another-bucket');
    const out = renderEmail(job({ html: `<img src="{{avatar:u1}}"><img src="{{avatar:nobody}}"><a href="${amp(foreign)}">r</a>`, text: '{{avatar:u1}}' }), signedDeps);
    expect(out.report.avatars.map((a) => a.url)).toEqual([signed.urlFor(`avatars/${PID}/abcdefabcdefabcdefab/96.jpg`), signedDeps.defaultAvatarUrl, signed.urlFor(`avatars/${PID}/abcdefabcdefabcdefab/96.jpg`)]);
    expect(out.report.rewritten).toBe(0);
    expect(out.report.foreign.map((f) => f.location)).toEqual(['https://another-bucket.s3.eu-west-1.amazonaws.com/report.pdf']);
    if (out.content.kind !== 'inline') throw new Error('inline expected');
    expect(out.content.html).toContain(`<img src="${escapeHtml(out.report.avatars[0]?.url ?? '')}">`);
    expect(out.content.text).toBe(out.report.avatars[2]?.url);
  });
});

describe('finding URLs in bodies', () => {
  it('splits srcset candidates, stops at entity-encoded quotes and trims sentence punctuation', () => {
    expect(findUrls('<img srcset="https://a/1.jpg 1x,https://a/2.jpg 2x">', 'html').map((u) => u.url)).toEqual(['https://a/1.jpg', 'https://a/2.jpg']);
    expect(findUrls('url(&quot;https://a/x?b=1&amp;c=2&quot;)', 'html').map((u) => u.url)).toEqual(['https://a/x?b=1&c=2']);
    expect(findUrls('See https://a/x?b=1&c=2. Or (https://a/y)!', 'text').map((u) => u.url)).toEqual(['https://a/x?b=1&c=2', 'https://a/y']);
    expect(escapeHtml('https://a/?x=1&y="2"')).toBe('https://a/?x=1&amp;y=&quot;2&quot;');
  });
});
