/** The email job apps put on the queue. Validated at the edge: one problem per bad field. */
import { permanentError } from '../errors';

export interface EmailJob {
  id: string;
  from: string;
  to: string[];
  subject: string;
  html?: string;
  text?: string;
}

const CRLF = /[\r\n]/;

function isAddress(value: unknown): value is string {
  return typeof value === 'string' && !CRLF.test(value) && /^[^\s@]+@[^\s@]+$|<[^\s@<>]+@[^\s@<>]+>$/.test(value);
}

export function parseEmailJob(body: string): EmailJob {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw permanentError('E_JOB_INVALID', 'The job is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw permanentError('E_JOB_INVALID', 'The job must be a JSON object.');
  }
  const job = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof job.id !== 'string' || job.id === '') problems.push('id: a non-empty string is required');
  if (!isAddress(job.from)) problems.push('from: an email address is required');
  const to = typeof job.to === 'string' ? [job.to] : job.to;
  if (!Array.isArray(to) || to.length === 0 || !to.every(isAddress)) problems.push('to: one or more email addresses are required');
  if (typeof job.subject !== 'string' || CRLF.test(job.subject)) problems.push('subject: a single-line string is required');
  if (job.html !== undefined && typeof job.html !== 'string') problems.push('html: must be a string');
  if (job.text !== undefined && typeof job.text !== 'string') problems.push('text: must be a string');
  if (job.html === undefined && job.text === undefined) problems.push('html/text: at least one body is required');
  if (problems.length > 0) throw permanentError('E_JOB_INVALID', `Invalid email job: ${problems.join('; ')}`);
  return {
    id: job.id as string,
    from: job.from as string,
    to: to as string[],
    subject: job.subject as string,
    ...(typeof job.html === 'string' ? { html: job.html } : {}),
    ...(typeof job.text === 'string' ? { text: job.text } : {}),
  };
}
