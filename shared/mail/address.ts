/**
 * Mail header values: what we accept in address and header fields, and how a display name with
 * non-ASCII characters is written so SES takes it (RFC 2047 encoded-word; SES refuses raw UTF-8 there).
 */

/** CR or LF in a header value would let a job inject headers of its own. */
export const isHeaderSafe = (value: string): boolean => !/[\r\n\0]/.test(value);

// The address itself: ASCII, no whitespace, one `@`. Display names may be any single-line text.
const BARE_ADDRESS = /^[!-~]+@[!-~]+$/;
const NAMED_ADDRESS = /^(.*?)\s*<([!-;=?-~]+@[!-;=?-~]+)>$/;

export interface Mailbox {
  name: string | undefined;
  address: string;
}

export function parseMailbox(value: string): Mailbox | undefined {
  if (!isHeaderSafe(value)) return undefined;
  const trimmed = value.trim();
  if (BARE_ADDRESS.test(trimmed) && !/[<>(),;"]/.test(trimmed) && trimmed.split('@').length === 2) {
    return { name: undefined, address: trimmed };
  }
  const named = NAMED_ADDRESS.exec(trimmed);
  if (named === null || (named[2] ?? '').split('@').length !== 2) return undefined;
  const name = (named[1] ?? '').trim().replace(/^"(.*)"$/, '$1');
  return { name: name === '' ? undefined : name, address: named[2] ?? '' };
}

export const isMailbox = (value: unknown): value is string => typeof value === 'string' && parseMailbox(value) !== undefined;

/** `Zoë <z@example.com>` -> `=?UTF-8?B?Wm/Dqw==?= <z@example.com>`; ASCII names are quoted when needed. */
export function formatMailbox(value: string): string {
  const mailbox = parseMailbox(value);
  if (mailbox === undefined) throw new Error(`not a mailbox: ${JSON.stringify(value)}`);
  if (mailbox.name === undefined) return mailbox.address;
  if (/^[ -~]*$/.test(mailbox.name)) {
    const needsQuotes = /[()<>\[\]:;@\\,."]/.test(mailbox.name);
    const name = needsQuotes ? `"${mailbox.name.replace(/["\\]/g, '\\$&')}"` : mailbox.name;
    return `${name} <${mailbox.address}>`;
  }
  return `=?UTF-8?B?${Buffer.from(mailbox.name, 'utf8').toString('base64')}?= <${mailbox.address}>`;
}
