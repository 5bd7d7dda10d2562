import { describe, expect, it } from 'vitest';
import { formatMailbox, MAX_DISPLAY_NAME_LENGTH, parseMailbox } from '../../shared/mail/address';

/** RFC 2047 B-encoded words of a header value, decoded and joined (what a mail client shows). */
const decodeWords = (value: string): string =>
  Buffer.concat([...value.matchAll(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/g)].map((m) => Buffer.from(m[1] ?? '', 'base64'))).toString('utf8');

describe('mail addresses', () => {
  it('unquotes a quoted display name once, so its escapes are not doubled when it is written again', () => {
    expect(parseMailbox('"Doe, John \\"JD\\"" <j@example.com>')).toEqual({ name: 'Doe, John "JD"', address: 'j@example.com' });
    expect(formatMailbox('"Doe, John \\"JD\\"" <j@example.com>')).toBe('"Doe, John \\"JD\\"" <j@example.com>');
    expect(formatMailbox('"back\\\\slash" <j@example.com>')).toBe('"back\\\\slash" <j@example.com>');
    expect(formatMailbox(formatMailbox('"Doe, John" <j@example.com>'))).toBe('"Doe, John" <j@example.com>');
  });

  it('writes a long non-ASCII display name as several encoded-words of at most 75 characters, splitting no character', () => {
    const name = 'Ünïcödé Dîsplåy Nâmé Thät Is Quïte Löng Indeed Bëcause Marketing 😀😀😀';
    const formatted = formatMailbox(`${name} <n@example.com>`);
    const words = formatted.split(' <')[0]?.split(' ') ?? [];
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) {
      expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
      expect(word.length).toBeLessThanOrEqual(75);
      expect(Buffer.from(word.slice(10, -2), 'base64').toString('utf8')).not.toContain('\uFFFD');
    }
    expect(decodeWords(formatted)).toBe(name);
    expect(formatted.endsWith(' <n@example.com>')).toBe(true);
  });

  it(`refuses display names longer than ${MAX_DISPLAY_NAME_LENGTH} characters`, () => {
    expect(parseMailbox(`${'a'.repeat(MAX_DISPLAY_NAME_LENGTH)} <a@example.com>`)).toBeDefined();
    expect(parseMailbox(`${'a'.repeat(MAX_DISPLAY_NAME_LENGTH + 1)} <a@example.com>`)).toBeUndefined();
  });

  it('quotes an ASCII name that looks like an encoded-word, so clients do not decode it into another name', () => {
    expect(formatMailbox('=?UTF-8?B?QWRtaW4=?= <a@b.com>')).toBe('"=?UTF-8?B?QWRtaW4=?=" <a@b.com>');
  });
});
