/**
 * Finds absolute http(s) URLs in a mail body and lets a caller replace them. Works on the text,
 * not a DOM, so it sees URLs wherever mail HTML hides them: `src`, `srcset` candidates, `href`,
 * `background`, inline CSS `url(...)` (quoted, unquoted or with entity-encoded quotes) and plain text.
 */
import { escapeHtml } from './html-escape';

export type BodyFormat = 'html' | 'text';

/** Delimiters of the markers the renderer puts where avatar URLs go (render.ts): never part of a URL. */
export const AVATAR_MARKER_OPEN = '\uE000';
export const AVATAR_MARKER_CLOSE = '\uE001';

// A URL runs until whitespace, a quote, `<`, `>`, `(`, `)`, a backslash or a backtick, an
// entity-encoded quote (`&quot;` inside a style attribute), `,` starting the next srcset URL, or
// an avatar marker.
const URL_CHAR = String.raw`(?!&quot;|&#0*34;|&#x0*22;|&apos;|&#0*39;|&#x0*27;|,\s*(?:https?:)?\/\/)[^\s"'<>()\\\`\uE000\uE001]`;
// In html a URL also ends at any other character reference (`&nbsp;`, `&gt;`, `&#160;`): only an
// encoded ampersand (`&amp;`, `&#38;`, `&#x26;`) can be part of a URL's query.
const OTHER_ENTITY = String.raw`&(?!(?:amp|#0*38|#x0*26);)(?:[a-z][a-z0-9]*|#\d+|#x[0-9a-f]+);`;
const URL_IN_BODY: Record<BodyFormat, RegExp> = {
  text: new RegExp(String.raw`https?:\/\/(?:${URL_CHAR})+`, 'gi'),
  // html also has protocol-relative URLs (`src="//bucket.s3..."`): `//` not right after a scheme,
  // a path or a word, and followed by a host.
  html: new RegExp(String.raw`(?:https?:\/\/|(?<![\w:/.])\/\/(?=[a-z0-9]))(?:(?!${OTHER_ENTITY})${URL_CHAR})+`, 'gi'),
};
// Sentence punctuation after a URL in prose is not part of it.
const TRAILING_PUNCTUATION = /[.,;:!?]+$/;

/** `&amp;` (and its numeric forms) between query parameters is how HTML spells `&`. */
export const decodeHtmlAmpersands = (value: string): string => value.replace(/&(?:amp|#0*38|#x0*26);/gi, '&');


export interface FoundUrl {
  /** The URL as a browser would request it (entities decoded in html). */
  url: string;
  /** The characters of the body it came from. */
  raw: string;
}

function matches(body: string, format: BodyFormat): Array<FoundUrl & { index: number }> {
  const found: Array<FoundUrl & { index: number }> = [];
  for (const match of body.matchAll(URL_IN_BODY[format])) {
    let raw = match[0];
    // `&amp;` ends in `;`: only trim punctuation that is not the end of an entity.
    while (TRAILING_PUNCTUATION.test(raw) && !(format === 'html' && /&(?:amp|#0*38|#x0*26);$/i.test(raw))) {
      raw = raw.slice(0, -1);
    }
    const url = format === 'html' ? decodeHtmlAmpersands(raw) : raw;
    // A protocol-relative URL is fetched over https from a mail (no page to inherit a scheme from).
    found.push({ raw, url: url.startsWith('//') ? `https:${url}` : url, index: match.index });
  }
  return found;
}

export function findUrls(body: string, format: BodyFormat): FoundUrl[] {
  return matches(body, format).map(({ url, raw }) => ({ url, raw }));
}

/** Replaces each URL for which `replace` returns a new URL; the new URL is escaped for the format. */
export function replaceUrls(body: string, format: BodyFormat, replace: (url: string) => string | undefined): string {
  let out = '';
  let cursor = 0;
  for (const { url, raw, index } of matches(body, format)) {
    const replacement = replace(url);
    if (replacement === undefined) continue;
    out += body.slice(cursor, index) + (format === 'html' ? escapeHtml(replacement) : replacement);
    cursor = index + raw.length;
  }
  return out + body.slice(cursor);
}
