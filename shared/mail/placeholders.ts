/**
 * `{{avatar:<userId>}}` and `{{avatar:<userId>:<size>}}` in a mail body. Pure string work:
 * finding them, and replacing them with URLs a resolver supplies.
 */
export interface AvatarPlaceholder {
  userId: string;
  size: number | undefined;
}

// A user id is anything but whitespace, `}` and `:`; the size, when given, is digits.
const PLACEHOLDER = /\{\{\s*avatar:([^\s:}]+)(?::(\d+))?\s*\}\}/g;

export function findAvatarPlaceholders(text: string): AvatarPlaceholder[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => ({
    userId: m[1] ?? '',
    size: m[2] === undefined ? undefined : Number(m[2]),
  }));
}

export function replaceAvatarPlaceholders(text: string, urlFor: (placeholder: AvatarPlaceholder) => string): string {
  return text.replace(PLACEHOLDER, (_match, userId: string, size: string | undefined) =>
    urlFor({ userId, size: size === undefined ? undefined : Number(size) }),
  );
}

/** `&` would start an entity in HTML; our permanent URLs have none, but a configured base might. */
export { escapeHtml as escapeHtmlAttribute } from './html-escape';
