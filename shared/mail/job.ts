/**
 * The email job apps put on the queue (version 1). Validated at the edge, one problem per bad
 * field, so a producer sees everything wrong with a job at once. `schema/email-job.schema.json`
 * describes the same shape for non-TypeScript producers; `test/unit/mail-job.test.ts` keeps the
 * two in step.
 */
import { permanentError } from '../errors';
import { isBareAddress, isHeaderSafe, isMailbox, MAX_DISPLAY_NAME_LENGTH } from './address';
import { isUserId } from './placeholders';

export const EMAIL_JOB_VERSION = 1;
/** SES v2: at most 50 recipients (To + Cc + Bcc) per message. */
export const MAX_RECIPIENTS = 50;
/** RFC 5322 caps a line at 998 characters; a folded subject longer than that is a mail client lottery. */
export const MAX_SUBJECT_LENGTH = 998;
export const MAX_JOB_ID_LENGTH = 200;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [name: string]: JsonValue };

/** An avatar by user id, with an optional pixel size (the configured default otherwise). */
export interface AvatarRef {
  userId: string;
  size?: number;
}

export interface ListUnsubscribe {
  /** https URL; with `oneClick` it also gets `List-Unsubscribe-Post` (RFC 8058). */
  url?: string;
  /** An address; `mailto:` is added when absent. */
  mailto?: string;
  oneClick?: boolean;
}

interface EmailJobBase {
  version: typeof EMAIL_JOB_VERSION;
  /** Idempotency key: one mail per id, however often the job is delivered or enqueued. */
  id: string;
  from: string;
  replyTo: string[];
  to: string[];
  cc: string[];
  bcc: string[];
  /** Variables: `{{name}}` in inline bodies (HTML-escaped in html), or the SES template data. */
  data: Record<string, JsonValue>;
  /** Data fields filled with avatar URLs: `{ "authorAvatar": { "userId": "u1", "size": 96 } }`. */
  avatars: Record<string, AvatarRef>;
  configurationSet?: string;
  tags: Record<string, string>;
  listUnsubscribe?: ListUnsubscribe;
}

export interface InlineEmailJob extends EmailJobBase {
  kind: 'inline';
  subject: string;
  html?: string;
  text?: string;
}

export interface TemplateEmailJob extends EmailJobBase {
  kind: 'template';
  /** Name of an SES stored template; its subject and bodies come from SES. */
  template: string;
}

export type EmailJob = InlineEmailJob | TemplateEmailJob;

/** What a producer writes: arrays may be single strings, and defaulted fields may be left out. */
export interface EmailJobInput {
  version?: typeof EMAIL_JOB_VERSION;
  id: string;
  from: string;
  replyTo?: string | string[];
  to?: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  subject?: string;
  html?: string;
  text?: string;
  template?: string;
  data?: Record<string, JsonValue>;
  avatars?: Record<string, AvatarRef>;
  configurationSet?: string;
  tags?: Record<string, string>;
  listUnsubscribe?: ListUnsubscribe;
}

const KNOWN_FIELDS = new Set([
  'version', 'id', 'from', 'replyTo', 'to', 'cc', 'bcc', 'subject', 'html', 'text', 'template',
  'data', 'avatars', 'configurationSet', 'tags', 'listUnsubscribe',
]);
// SES: configuration set names and message tag names/values are ASCII letters, digits, `_` and `-`.
const SES_NAME = /^[A-Za-z0-9_-]+$/;
const TEMPLATE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export type JobValidation = { ok: true; job: EmailJob } | { ok: false; problems: string[] };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function addressList(value: unknown, field: string, problems: string[]): string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) {
    problems.push(`${field}: must be an email address or an array of them`);
    return [];
  }
  const bad = list.filter((entry) => !isMailbox(entry));
  if (bad.length > 0) {
    problems.push(`${field}: not a single-line email address (display name at most ${MAX_DISPLAY_NAME_LENGTH} characters): ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
    return [];
  }
  return list as string[];
}

function optionalString(job: Record<string, unknown>, field: string, problems: string[]): string | undefined {
  const value = job[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    problems.push(`${field}: must be a string`);
    return undefined;
  }
  return value;
}

function readAvatars(value: unknown, problems: string[]): Record<string, AvatarRef> {
  if (value === undefined) return {};
  if (!isObject(value)) {
    problems.push('avatars: must be an object of data field -> { "userId": ..., "size"?: ... }');
    return {};
  }
  const avatars: Record<string, AvatarRef> = {};
  for (const [field, ref] of Object.entries(value)) {
    if (!isObject(ref) || !isUserId(ref.userId)) {
      problems.push(`avatars.${field}: needs a userId (a non-empty single-line string)`);
      continue;
    }
    if (ref.size !== undefined && (!Number.isInteger(ref.size) || (ref.size as number) < 1 || (ref.size as number) > 2048)) {
      problems.push(`avatars.${field}.size: must be an integer from 1 to 2048`);
      continue;
    }
    const unknown = Object.keys(ref).filter((k) => k !== 'userId' && k !== 'size');
    if (unknown.length > 0) problems.push(`avatars.${field}: unknown field(s) ${unknown.join(', ')}`);
    avatars[field] = ref.size === undefined ? { userId: ref.userId } : { userId: ref.userId, size: ref.size as number };
  }
  return avatars;
}

function readTags(value: unknown, problems: string[]): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) {
    problems.push('tags: must be an object of name -> value');
    return {};
  }
  const tags: Record<string, string> = {};
  for (const [name, tagValue] of Object.entries(value)) {
    if (!SES_NAME.test(name) || name.length > 256) {
      problems.push(`tags: name ${JSON.stringify(name)} must be 1-256 ASCII letters, digits, '_' or '-'`);
    } else if (typeof tagValue !== 'string' || !SES_NAME.test(tagValue) || tagValue.length > 256) {
      problems.push(`tags.${name}: value must be 1-256 ASCII letters, digits, '_' or '-'`);
    } else {
      tags[name] = tagValue;
    }
  }
  return tags;
}

// Each List-Unsubscribe target is written as `<target>` in a comma-separated list (RFC 2369): a
// `<`, `>` or `,` in one, or any whitespace, would let a job add targets of its own.
const UNSUBSCRIBE_TEXT = /^[!-~]*$/;
const UNSUBSCRIBE_SEPARATORS = /[<>,]/;

function isUnsubscribeUrl(value: unknown): value is string {
  if (typeof value !== 'string' || !UNSUBSCRIBE_TEXT.test(value) || UNSUBSCRIBE_SEPARATORS.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '' && /^https:\/\/[^/?#]/i.test(value);
  } catch {
    return false;
  }
}

/** `u@acme.example` or `u@acme.example?subject=unsubscribe` (no `mailto:`). */
function isMailtoTarget(value: string): boolean {
  const at = value.indexOf('?');
  const address = at === -1 ? value : value.slice(0, at);
  const query = at === -1 ? '' : value.slice(at + 1);
  return isBareAddress(address) && UNSUBSCRIBE_TEXT.test(query) && !UNSUBSCRIBE_SEPARATORS.test(query);
}

function readListUnsubscribe(value: unknown, problems: string[]): ListUnsubscribe | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    problems.push('listUnsubscribe: must be an object { url?, mailto?, oneClick? }');
    return undefined;
  }
  const result: ListUnsubscribe = {};
  const before = problems.length;
  for (const key of Object.keys(value)) {
    if (key !== 'url' && key !== 'mailto' && key !== 'oneClick') problems.push(`listUnsubscribe.${key}: unknown field`);
  }
  if (value.url !== undefined) {
    if (!isUnsubscribeUrl(value.url)) {
      problems.push('listUnsubscribe.url: must be an absolute https URL without whitespace, <, > or ,');
    } else result.url = value.url;
  }
  if (value.mailto !== undefined) {
    const target = typeof value.mailto === 'string' ? value.mailto.replace(/^mailto:/i, '') : undefined;
    if (target === undefined || !isMailtoTarget(target)) {
      problems.push('listUnsubscribe.mailto: must be an email address, optionally mailto: and a ?query without whitespace, <, > or ,');
    } else result.mailto = target;
  }
  if (value.oneClick !== undefined) {
    if (typeof value.oneClick !== 'boolean') problems.push('listUnsubscribe.oneClick: must be true or false');
    else result.oneClick = value.oneClick;
  }
  if (problems.length === before) {
    if (result.url === undefined && result.mailto === undefined) problems.push('listUnsubscribe: needs url or mailto');
    if (result.oneClick === true && result.url === undefined) problems.push('listUnsubscribe.oneClick: needs an https url (RFC 8058)');
  }
  return result;
}

/** Validates a parsed job; never throws. */
export function validateEmailJob(value: unknown): JobValidation {
  if (!isObject(value)) return { ok: false, problems: ['job: must be a JSON object'] };
  const job = value;
  const problems: string[] = [];

  for (const field of Object.keys(job)) {
    if (!KNOWN_FIELDS.has(field)) problems.push(`${field}: unknown field`);
  }
  if (job.version !== undefined && job.version !== EMAIL_JOB_VERSION) {
    problems.push(`version: ${JSON.stringify(job.version)} is not supported (this sender understands ${EMAIL_JOB_VERSION})`);
  }
  if (typeof job.id !== 'string' || job.id === '' || job.id.length > MAX_JOB_ID_LENGTH || !isHeaderSafe(job.id)) {
    problems.push(`id: a single-line string of 1-${MAX_JOB_ID_LENGTH} characters is required`);
  }
  if (!isMailbox(job.from)) problems.push(`from: a single-line email address is required (display name at most ${MAX_DISPLAY_NAME_LENGTH} characters)`);
  const replyTo = addressList(job.replyTo, 'replyTo', problems);
  const to = addressList(job.to, 'to', problems);
  const cc = addressList(job.cc, 'cc', problems);
  const bcc = addressList(job.bcc, 'bcc', problems);
  const recipients = to.length + cc.length + bcc.length;
  if (recipients > MAX_RECIPIENTS) problems.push(`to/cc/bcc: ${recipients} recipients, SES allows at most ${MAX_RECIPIENTS} together`);
  if (recipients === 0 && !problems.some((p) => /^(to|cc|bcc):/.test(p))) problems.push('to/cc/bcc: at least one recipient is required');

  const subject = optionalString(job, 'subject', problems);
  const html = optionalString(job, 'html', problems);
  const text = optionalString(job, 'text', problems);
  const template = optionalString(job, 'template', problems);
  if (template !== undefined) {
    if (!TEMPLATE_NAME.test(template)) problems.push('template: an SES template name (1-64 letters, digits, _ or -) is required');
    if (html !== undefined || text !== undefined) problems.push('html/text: not allowed with template (the SES template holds the bodies)');
    if (subject !== undefined) problems.push('subject: not allowed with template (the SES template holds the subject)');
  } else {
    if (subject === undefined) problems.push('subject: required (or use template)');
    else if (!isHeaderSafe(subject) || subject.length > MAX_SUBJECT_LENGTH) {
      problems.push(`subject: must be a single line of at most ${MAX_SUBJECT_LENGTH} characters`);
    }
    if (html === undefined && text === undefined && job.html === undefined && job.text === undefined) {
      problems.push('html/text: at least one body is required (or use template)');
    }
  }

  let data: Record<string, JsonValue> = {};
  if (job.data !== undefined) {
    if (!isObject(job.data)) problems.push('data: must be an object');
    else data = job.data as Record<string, JsonValue>;
  }
  const avatars = readAvatars(job.avatars, problems);
  for (const field of Object.keys(avatars)) {
    if (field in data) problems.push(`avatars.${field}: collides with data.${field}`);
  }
  const configurationSet = optionalString(job, 'configurationSet', problems);
  if (configurationSet !== undefined && (!SES_NAME.test(configurationSet) || configurationSet.length > 64)) {
    problems.push('configurationSet: must be 1-64 ASCII letters, digits, _ or -');
  }
  const tags = readTags(job.tags, problems);
  const listUnsubscribe = readListUnsubscribe(job.listUnsubscribe, problems);

  if (problems.length > 0) return { ok: false, problems };
  const base = {
    version: EMAIL_JOB_VERSION,
    id: job.id as string,
    from: job.from as string,
    replyTo,
    to,
    cc,
    bcc,
    data,
    avatars,
    tags,
    ...(configurationSet !== undefined ? { configurationSet } : {}),
    ...(listUnsubscribe !== undefined ? { listUnsubscribe } : {}),
  } as const;
  if (template !== undefined) return { ok: true, job: { ...base, kind: 'template', template } };
  return {
    ok: true,
    job: {
      ...base,
      kind: 'inline',
      subject: subject as string,
      ...(html !== undefined ? { html } : {}),
      ...(text !== undefined ? { text } : {}),
    },
  };
}

/** Queue message body -> job; a permanent E_JOB_INVALID listing every problem otherwise. */
export function parseEmailJob(body: string): EmailJob {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw permanentError('E_JOB_INVALID', 'Invalid email job: the message body is not valid JSON.');
  }
  const result = validateEmailJob(value);
  if (!result.ok) throw permanentError('E_JOB_INVALID', `Invalid email job: ${result.problems.join('; ')}`);
  return result.job;
}

/** The job id of a body that may not be a valid job, for logs and dead-letter attributes. */
export function jobIdOf(body: string): string | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return isObject(value) && typeof value.id === 'string' ? value.id : undefined;
  } catch {
    return undefined;
  }
}
