/**
 * `{{avatar:<userId>}}` and `{{avatar:<userId>:<size>}}` in a mail body. Pure string work:
 * finding them, and replacing them with URLs a resolver supplies.
 */
export interface AvatarPlaceholder {
  userId: string;
  size: number | undefined;
}

// A user id is anything but whitespace, `}` and `:`; the size, when given, is digits. User ids that
// contain those characters (or `%`) are written percent-encoded: see avatarPlaceholder().
const PLACEHOLDER = /\{\{\s*avatar:([^\s:}]+)(?::(\d+))?\s*\}\}/g;
const NEEDS_ENCODING = /[%\s:{}]/g;
const WHOLE_PLACEHOLDER = new RegExp(`^${PLACEHOLDER.source}$`);

function decodeUserId(written: string): string {
  if (!written.includes('%')) return written;
  try {
    return decodeURIComponent(written);
  } catch {
    return written; // not valid percent-encoding: the id is taken as written
  }
}

/**
 * What a user id is, for placeholders and the job's `avatars` field alike: any non-empty single-line
 * string (a placeholder writes `%`, whitespace, `:`, `{` and `}` percent-encoded).
 */
export const isUserId = (value: unknown): value is string => typeof value === 'string' && value !== '' && !/[\r\n]/.test(value);

/** The placeholder for a user id, percent-encoding only what the placeholder syntax cannot hold. */
export function avatarPlaceholder(userId: string, size?: number): string {
  const written = userId.replace(NEEDS_ENCODING, (c) => encodeURIComponent(c));
  return `{{avatar:${written}${size === undefined ? '' : `:${size}`}}}`;
}

/** Whether `token` (from `{{` to `}}`) is exactly one well-formed placeholder. */
export function isAvatarPlaceholderToken(token: string): boolean {
  return WHOLE_PLACEHOLDER.test(token);
}

export function findAvatarPlaceholders(text: string): AvatarPlaceholder[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => ({
    userId: decodeUserId(m[1] ?? ''),
    size: m[2] === undefined ? undefined : Number(m[2]),
  }));
}

export function replaceAvatarPlaceholders(text: string, urlFor: (placeholder: AvatarPlaceholder) => string): string {
  return text.replace(PLACEHOLDER, (_match, userId: string, size: string | undefined) =>
    urlFor({ userId: decodeUserId(userId), size: size === undefined ? undefined : Number(size) }),
  );
}

/** `&` would start an entity in HTML; our permanent URLs have none, but a configured base might. */
export { escapeHtml as escapeHtmlAttribute } from './html-escape';
