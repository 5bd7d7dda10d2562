/**
 * Job + the batch's manifests -> final content: avatar placeholders resolved, variables filled
 * (HTML-escaped in html), our pre-signed avatar URLs swapped for permanent ones. Pure.
 */
import { permanentError } from '../errors';
import { type AvatarRequest, type AvatarResolution, type AvatarUrlDeps, type ManifestLookup, resolveAvatar } from './avatar-resolver';
import { isHeaderSafe } from './address';
import { type EmailJob, type JsonValue, MAX_SUBJECT_LENGTH } from './job';
import { replaceAvatarPlaceholders } from './placeholders';
import { type PresignedRewriteConfig, type RewriteReport, rewritePresignedUrls } from './presigned-rewrite';
import type { SignedUrl } from './presigned-url';
import { escapeHtml } from './html-escape';
import { AVATAR_MARKER_CLOSE, AVATAR_MARKER_OPEN, type BodyFormat } from './url-scanner';
import { malformedAvatarPlaceholders, unresolvedTokens } from './template-tokens';
import { substituteVariables } from './variables';

export interface RenderDeps extends AvatarUrlDeps {
  lookup: ManifestLookup;
  presigned: PresignedRewriteConfig;
}

export type RenderedContent =
  | { kind: 'inline'; subject: string; html?: string; text?: string }
  | { kind: 'template'; template: string; templateData: string };

export interface RenderReport {
  avatars: AvatarResolution[];
  /** Our pre-signed URLs replaced by permanent ones. */
  rewritten: number;
  /** Other signed URLs left in the mail, with their expiry. */
  foreign: SignedUrl[];
}

export interface RenderedEmail {
  content: RenderedContent;
  report: RenderReport;
}

function strings(value: JsonValue, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) strings(item, out);
  return out;
}

function mapStrings(value: JsonValue, fn: (text: string) => string): JsonValue {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, fn));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, mapStrings(item, fn)]));
  }
  return value;
}

/**
 * Refuses (permanently) a job whose text we render would keep a literal `{{...}}`: a malformed
 * avatar placeholder or a token that is not a variable. SES stored templates are SES's to render,
 * so there only the avatar placeholders we resolve inside data values are checked.
 */
function assertNoUnresolvedTokens(job: EmailJob): void {
  const fields: Array<[string, string[]]> = [];
  switch (job.kind) {
    case 'inline':
      fields.push(['subject', unresolvedTokens(job.subject)]);
      if (job.html !== undefined) fields.push(['html', unresolvedTokens(job.html)]);
      if (job.text !== undefined) fields.push(['text', unresolvedTokens(job.text)]);
      break;
    case 'template':
      fields.push(['data', [...new Set(strings(job.data).flatMap(malformedAvatarPlaceholders))]]);
      break;
    default: {
      const unreachable: never = job;
      throw new Error(`unknown job kind ${JSON.stringify(unreachable)}`);
    }
  }
  const problems = fields.filter(([, tokens]) => tokens.length > 0).map(([field, tokens]) => `${field}: ${tokens.join(', ')}`);
  if (problems.length > 0) {
    throw permanentError(
      'E_JOB_PLACEHOLDER',
      `Cannot render the mail, it would keep literal placeholders (neither {{avatar:<userId>[:<size>]}} nor {{variable}}): ${problems.join('; ')}`,
    );
  }
}

type Resolve = (request: AvatarRequest) => AvatarResolution;

/**
 * Markers `<U+E000><nonce>:<n><U+E001>` stand for the n-th avatar URL of a mail while it is being
 * rendered. The URL scanner stops at both private-use characters, and the nonce occurs nowhere in
 * the job, so no text of the job can pass for a marker.
 */
function avatarMarkers(job: EmailJob): { marker: (index: number) => string; replace: (text: string, url: (index: number) => string) => string } {
  const everything = JSON.stringify(job);
  let nonce = 0;
  while (everything.includes(`${AVATAR_MARKER_OPEN}${nonce}:`)) nonce += 1;
  const pattern = new RegExp(`${AVATAR_MARKER_OPEN}${nonce}:(\\d+)${AVATAR_MARKER_CLOSE}`, 'g');
  return {
    marker: (index) => `${AVATAR_MARKER_OPEN}${nonce}:${index}${AVATAR_MARKER_CLOSE}`,
    replace: (text, url) => text.replace(pattern, (_marker, index: string) => url(Number(index))),
  };
}

/**
 * The one walk over a job: placeholders, then variables, then pre-signed URLs (which variables may
 * carry). Both the manifest collection (`avatarRequestsOf`) and the real render run it, so the
 * avatars looked up are exactly the avatars rendered. Nothing here may depend on the URLs `resolve`
 * returns (the collecting pass returns stand-ins): checks on the finished mail go in renderEmail.
 * The one difference between the passes, the URLs, is kept out of the scan by avatarMarkers.
 */
function renderWith(job: EmailJob, presigned: PresignedRewriteConfig, resolve: Resolve): RenderedEmail {
  assertNoUnresolvedTokens(job);
  const report: RenderReport = { avatars: [], rewritten: 0, foreign: [] };
  const rewriteReport: RewriteReport = { rewritten: 0, foreign: report.foreign };
  // Avatars go in as markers, and become URLs only once the pre-signed URL scan is done: the scan
  // never sees a URL we inserted (a CloudFront signed URL is ours, not a foreign signed URL), and
  // its input is the same text whatever URLs `resolve` returns.
  const markers = avatarMarkers(job);
  const avatarUrl = (request: AvatarRequest): string => {
    const resolution = resolve(request);
    report.avatars.push(resolution);
    return resolution.url;
  };
  const avatarMarker = (request: AvatarRequest): string => {
    avatarUrl(request);
    return markers.marker(report.avatars.length - 1);
  };
  const urlAt = (index: number): string => {
    const resolution = report.avatars[index];
    if (resolution === undefined) throw new Error(`no avatar #${index} in this mail`);
    return resolution.url;
  };
  const avatarFieldMarkers = Object.fromEntries(
    Object.entries(job.avatars).map(([field, ref]) => [field, avatarMarker({ target: { by: 'user', userId: ref.userId }, size: ref.size })]),
  );

  /** One body or value: placeholders, then variables, then pre-signed URLs (which variables may carry). */
  const renderText = (text: string, format: BodyFormat, withVariables: boolean): string => {
    let out = replaceAvatarPlaceholders(text, (p) => avatarMarker({ target: { by: 'user', userId: p.userId }, size: p.size }));
    if (withVariables) {
      const result = substituteVariables(out, { ...job.data, ...avatarFieldMarkers }, format === 'html' ? escapeHtml : (v) => v);
      const problems = [
        ...result.missing.map((name) => `{{${name}}} has no value in data`),
        ...result.notScalar.map((name) => `{{${name}}} is not a string, number or boolean`),
      ];
      if (problems.length > 0) throw permanentError('E_JOB_VARIABLE', `Cannot fill the mail: ${problems.join('; ')}`);
      out = result.text;
    }
    out = rewritePresignedUrls(out, format, presigned, avatarUrl, rewriteReport);
    return markers.replace(out, (index) => (format === 'html' ? escapeHtml(urlAt(index)) : urlAt(index)));
  };

  let content: RenderedContent;
  switch (job.kind) {
    case 'inline': {
      const subject = renderText(job.subject, 'text', true);
      if (!isHeaderSafe(subject)) throw permanentError('E_HEADER_INJECTION', 'The subject contains CR/LF after filling variables.');
      content = {
        kind: 'inline',
        subject,
        ...(job.html !== undefined ? { html: renderText(job.html, 'html', true) } : {}),
        ...(job.text !== undefined ? { text: renderText(job.text, 'text', true) } : {}),
      };
      break;
    }
    case 'template': {
      // SES fills the template: we only resolve avatars and rewrite URLs inside the data values.
      const data = mapStrings(job.data, (value) => renderText(value, 'text', false));
      const avatarFields = Object.fromEntries(Object.entries(avatarFieldMarkers).map(([field, marker]) => [field, markers.replace(marker, urlAt)]));
      content = { kind: 'template', template: job.template, templateData: JSON.stringify({ ...(data as object), ...avatarFields }) };
      break;
    }
    default: {
      const unreachable: never = job;
      throw new Error(`unknown job kind ${JSON.stringify(unreachable)}`);
    }
  }
  report.rewritten = rewriteReport.rewritten;
  return { content, report };
}

/** What the collecting pass puts in place of an avatar: never scanned (see avatarMarkers). */
const STAND_IN_URL = 'https://avatar-lookup.invalid/';

/**
 * Every avatar a job refers to (placeholders in any field, `avatars` fields, our pre-signed URLs in
 * bodies, the subject and the data values the mail uses, also those only complete once variables are
 * filled): found by rendering the job with a resolver that records each request.
 */
export function avatarRequestsOf(job: EmailJob, presigned: PresignedRewriteConfig): AvatarRequest[] {
  const requests: AvatarRequest[] = [];
  try {
    renderWith(job, presigned, (request) => {
      requests.push(request);
      return { source: 'default', url: STAND_IN_URL, publicId: '', reason: 'no-manifest' };
    });
  } catch {
    // The job cannot be rendered: renderEmail fails the same way, at the same point, and reports it
    // for this job alone; the requests made up to there are still looked up.
  }
  return requests;
}

export function renderEmail(job: EmailJob, deps: RenderDeps): RenderedEmail {
  const rendered = renderWith(job, deps.presigned, (request) => resolveAvatar(deps.lookup, deps, request));
  // Checked here, not in renderWith: the length depends on the real avatar URLs.
  if (rendered.content.kind === 'inline' && rendered.content.subject.length > MAX_SUBJECT_LENGTH) {
    throw permanentError(
      'E_JOB_SUBJECT_TOO_LONG',
      `The subject is ${rendered.content.subject.length} characters once variables and avatars are filled in; at most ${MAX_SUBJECT_LENGTH} are allowed.`,
    );
  }
  return rendered;
}
