/**
 * Mail header values: what we accept in address and header fields, and how a display name with
 * non-ASCII characters is written so SES takes it (RFC 2047 encoded-word; SES refuses raw UTF-8 there).
 */

/** CR or LF in a header value would let a job inject headers of its own. */
export const isHeaderSafe = (value: string): boolean => !/[\r\n\0]/.test(value);

// The address itself: ASCII, no whitespace, one `@`. Display names may be any single-line text.
const BARE_ADDRESS = /^[!-~]+@[!-~]+$/;
const NAMED_ADDRESS = /^(.*?)\s*<([!-;=?-~]+@[!-;=?-~]+)>$/;
/** Longest display name we accept (characters, after unquoting): a name, not a message in the From line. */
export const MAX_DISPLAY_NAME_LENGTH = 128;
/** RFC 2047: an encoded-word is at most 75 characters; `=?UTF-8?B?` + `?=` leave 63, i.e. 45 bytes of base64. */
const ENCODED_WORD_BYTES = 45;

export interface Mailbox {
  name: string | undefined;
  address: string;
}

/** A bare address (`a@example.com`): the rule for every address field and `mailto:` targets. */
export function isBareAddress(value: string): boolean {
  return BARE_ADDRESS.test(value) && !/[<>(),;"]/.test(value) && value.split('@').length === 2;
}

/** `"Doe, John \"JD\""` -> `Doe, John "JD"`: a quoted-string's quotes and backslash escapes removed. */
function unquote(name: string): string {
  const quoted = /^"(.*)"$/.exec(name);
  return quoted === null ? name : (quoted[1] ?? '').replace(/\\(.)/g, '$1');
}

export function parseMailbox(value: string): Mailbox | undefined {
  if (!isHeaderSafe(value)) return undefined;
  const trimmed = value.trim();
  if (isBareAddress(trimmed)) return { name: undefined, address: trimmed };
  const named = NAMED_ADDRESS.exec(trimmed);
  if (named === null || (named[2] ?? '').split('@').length !== 2) return undefined;
  const name = unquote((named[1] ?? '').trim());
  if (name.length > MAX_DISPLAY_NAME_LENGTH) return undefined;
  return { name: name === '' ? undefined : name, address: named[2] ?? '' };
}

export const isMailbox = (value: unknown): value is string => typeof value === 'string' && parseMailbox(value) !== undefined;

/** Whole characters, at most ENCODED_WORD_BYTES of UTF-8 each (an encoded-word may not split a character). */
function encodedWords(name: string): string[] {
  const words: string[] = [];
  let chunk = '';
  for (const char of name) {
    if (Buffer.byteLength(chunk + char, 'utf8') > ENCODED_WORD_BYTES) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`);
}

/**
 * `Zoë <z@example.com>` -> `=?UTF-8?B?Wm/Dqw==?= <z@example.com>` (long names: several encoded-words
 * of at most 75 characters, separated by spaces, which decoders drop); ASCII names are quoted when needed.
 */
export function formatMailbox(value: string): string {
  const mailbox = parseMailbox(value);
  if (mailbox === undefined) throw new Error(`not a mailbox: ${JSON.stringify(value)}`);
  if (mailbox.name === undefined) return mailbox.address;
  if (/^[ -~]*$/.test(mailbox.name)) {
    const needsQuotes = /[()<>\[\]:;@\\,."]/.test(mailbox.name) || mailbox.name.includes('=?');
    const name = needsQuotes ? `"${mailbox.name.replace(/["\\]/g, '\\$&')}"` : mailbox.name;
    return `${name} <${mailbox.address}>`;
  }
  return `${encodedWords(mailbox.name).join(' ')} <${mailbox.address}>`;
}
