import { readFile } from 'node:fs/promises';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { parseEmailJob, validateEmailJob } from '../../shared/mail/job';
import { emailJobBody, InvalidEmailJobError } from '../../shared/mail/enqueue';

const inline = { id: 'job-1', from: 'App <app@example.com>', to: 'reader@example.com', subject: 'Hi', html: '<p>x</p>' };
const schema = JSON.parse(await readFile(new URL('../../schema/email-job.schema.json', import.meta.url), 'utf8')) as object;
const validateSchema = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

function problemsOf(job: unknown): string[] {
  const result = validateEmailJob(job);
  return result.ok ? [] : result.problems;
}

describe('email job validation', () => {
  it('accepts a minimal inline job and normalises single addresses to arrays', () => {
    const result = validateEmailJob(inline);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.job).toMatchObject({ version: 1, kind: 'inline', to: ['reader@example.com'], cc: [], bcc: [], replyTo: [], tags: {}, data: {} });
  });

  it('accepts a template job with data, avatars, tags, configuration set and list-unsubscribe', () => {
    const result = validateEmailJob({
      version: 1, id: 'j', from: 'a@example.com', bcc: ['b@example.com'], template: 'Welcome_1', data: { name: 'Zoë' },
      avatars: { authorAvatar: { userId: 'u1', size: 96 } }, configurationSet: 'marketing', tags: { campaign: 'spring-2026' },
      listUnsubscribe: { url: 'https://example.com/u?x=1', mailto: 'unsub@example.com', oneClick: true },
    });
    expect(result.ok && result.job.kind).toBe('template');
  });

  it('reports one problem per bad field, all at once', () => {
    const problems = problemsOf({
      id: '', from: 'not an address', replyTo: ['x'], to: 'a@example.com\r\nBcc: victim@example.com', subject: 'two\nlines',
      html: 5, configurationSet: 'bad set', tags: { ok: 'fine', 'bad name': 'v' }, listUnsubscribe: { oneClick: 'yes' }, tempalte: 'x',
    });
    const fields = problems.map((p) => p.split(':')[0]);
    expect(fields).toEqual(expect.arrayContaining(['tempalte', 'id', 'from', 'replyTo', 'to', 'subject', 'html', 'configurationSet', 'tags', 'listUnsubscribe.oneClick']));
    expect(problems.find((p) => p.startsWith('tempalte'))).toBe('tempalte: unknown field');
  });

  it('rejects more than 50 recipients across to, cc and bcc, and none at all', () => {
    const many = Array.from({ length: 20 }, (_, i) => `r${i}@example.com`);
    expect(problemsOf({ ...inline, to: many, cc: many, bcc: many.slice(0, 11) })).toEqual(['to/cc/bcc: 51 recipients, SES allows at most 50 together']);
    expect(problemsOf({ ...inline, to: many, cc: many, bcc: many.slice(0, 10) })).toEqual([]);
    const { to: _to, ...noRecipients } = inline;
    expect(problemsOf(noRecipients)).toEqual(['to/cc/bcc: at least one recipient is required']);
  });

  it('rejects CR/LF in every header field', () => {
    for (const field of ['from', 'subject', 'id'] as const) {
      expect(problemsOf({ ...inline, [field]: `${inline[field]}\r\nX-Injected: 1` }).length, field).toBe(1);
    }
    expect(problemsOf({ ...inline, replyTo: 'a@example.com\nb' })).toHaveLength(1);
    expect(problemsOf({ ...inline, listUnsubscribe: { url: 'https://x.example/\r\nBcc: y' } })).toHaveLength(1);
  });

  it('refuses List-Unsubscribe targets that would add a target of their own (<, >, comma, whitespace) or are not https', () => {
    const bad = (listUnsubscribe: Record<string, unknown>) => problemsOf({ ...inline, listUnsubscribe });
    expect(bad({ mailto: 'u@acme.example?subject=x>, <https://evil.example/unsub', url: 'https://acme.example/u', oneClick: true })).toEqual([
      'listUnsubscribe.mailto: must be an email address, optionally mailto: and a ?query without whitespace, <, > or ,',
    ]);
    expect(bad({ mailto: 'u@acme.example?subject=hello world' })).toHaveLength(1);
    expect(bad({ mailto: 'u(x)@acme.example' })).toHaveLength(1);
    expect(bad({ mailto: 'u@a@acme.example' })).toHaveLength(1);
    for (const url of ['https://acme.example/u?a=1,b', 'https://acme.example/u>', 'https:///path', 'http://acme.example/u', 'https://acme.example/ü', 'https://acme.example/a b']) {
      expect(bad({ url }), url).toHaveLength(1);
    }
    expect(bad({ mailto: 'MAILTO:u@acme.example?subject=unsubscribe&body=please', url: 'https://acme.example/u?a=1;b' })).toEqual([]);
  });

  it('accepts in avatars the same user ids as placeholders (any non-empty single line), and no others', () => {
    for (const userId of ['urn:user:7', 'jane doe', 'a}b', 'élève@x.com']) expect(problemsOf({ ...inline, avatars: { a: { userId } } }), userId).toEqual([]);
    for (const userId of ['', 'a\nb', 'a\rb', 7]) expect(problemsOf({ ...inline, avatars: { a: { userId } } })).toEqual(['avatars.a: needs a userId (a non-empty single-line string)']);
  });

  it('requires exactly one of inline content and template', () => {
    expect(problemsOf({ ...inline, template: 'T' })).toEqual(expect.arrayContaining([
      'html/text: not allowed with template (the SES template holds the bodies)',
      'subject: not allowed with template (the SES template holds the subject)',
    ]));
    expect(problemsOf({ id: 'j', from: 'a@example.com', to: 'b@example.com' })).toEqual(['subject: required (or use template)', 'html/text: at least one body is required (or use template)']);
  });

  it('refuses unknown versions, so a newer producer never gets a half-understood mail', () => {
    expect(problemsOf({ ...inline, version: 2 })).toEqual(['version: 2 is not supported (this sender understands 1)']);
  });

  it('turns a body into a permanent E_JOB_INVALID error naming the problems', () => {
    expect(() => parseEmailJob('{nope')).toThrow(expect.objectContaining({ kind: 'permanent', code: 'E_JOB_INVALID' }));
    expect(() => parseEmailJob(JSON.stringify({ ...inline, from: 'x' }))).toThrow(/from: a single-line email address is required/);
  });

  it('enqueueEmail bodies are versioned and refuse invalid jobs before they reach the queue', () => {
    expect(JSON.parse(emailJobBody(inline))).toMatchObject({ version: 1, id: 'job-1' });
    expect(() => emailJobBody({ ...inline, to: [] })).toThrow(InvalidEmailJobError);
    expect(() => emailJobBody({ ...inline, html: 'x'.repeat(2000) }, 1000)).toThrow(/bytes as JSON, the queue takes at most 1000/);
  });
});

describe('schema/email-job.schema.json agrees with the validator', () => {
  const cases: Array<[string, unknown]> = [
    ['inline', inline],
    ['inline text only, list of recipients', { ...inline, html: undefined, text: 'hi', to: ['a@example.com', 'B <b@example.com>'] }],
    ['template', { id: 'j', from: 'a@example.com', to: 'b@example.com', template: 'T', data: { x: 1 }, tags: { a: 'b' } }],
    ['unknown field', { ...inline, extra: 1 }],
    ['template with subject', { ...inline, template: 'T' }],
    ['no body', { id: 'j', from: 'a@example.com', to: 'b@example.com', subject: 'x' }],
    ['bad tag value', { ...inline, tags: { a: 'b c' } }],
    ['bad version', { ...inline, version: 3 }],
    ['subject with newline', { ...inline, subject: 'a\nb' }],
    ['bad avatar ref', { ...inline, avatars: { x: { userId: 'a\nb' } } }],
    ['avatar ref with :, space and }', { ...inline, avatars: { x: { userId: 'urn:user 7}' } } }],
    ['mailto with an injected target', { ...inline, listUnsubscribe: { mailto: 'u@acme.example?subject=x>, <https://evil.example/unsub' } }],
    ['mailto with a query', { ...inline, listUnsubscribe: { mailto: 'mailto:u@acme.example?subject=unsubscribe' } }],
    ['unsubscribe url with a comma', { ...inline, listUnsubscribe: { url: 'https://acme.example/u?a=1,b' } }],
  ];
  it.each(cases)('%s', (_name, job) => {
    const clean = JSON.parse(JSON.stringify(job)) as unknown;
    expect(validateSchema(clean)).toBe(validateEmailJob(clean).ok);
  });
});
