import { describe, expect, it } from 'vitest';
import { avatarPlaceholder, escapeHtmlAttribute, findAvatarPlaceholders, replaceAvatarPlaceholders } from '../../shared/mail/placeholders';

describe('avatar placeholders', () => {
  it('finds {{avatar:<userId>}} and {{avatar:<userId>:<size>}}', () => {
    expect(findAvatarPlaceholders('<img src="{{avatar:u-1}}"> and {{avatar:u+2:192}} and {{ avatar:x }}')).toEqual([
      { userId: 'u-1', size: undefined },
      { userId: 'u+2', size: 192 },
      { userId: 'x', size: undefined },
    ]);
  });

  it('leaves other mustache variables and malformed placeholders alone', () => {
    const text = '{{name}} {{avatar:}} {{avatar:u:big}} {avatar:u}';
    expect(findAvatarPlaceholders(text)).toEqual([]);
    expect(replaceAvatarPlaceholders(text, () => 'X')).toBe(text);
  });

  it('replaces every occurrence with the URL the resolver gives for that user and size', () => {
    const out = replaceAvatarPlaceholders('a {{avatar:u1}} b {{avatar:u2:48}} c {{avatar:u1}}', (p) => `https://cdn/${p.userId}/${p.size ?? 'default'}`);
    expect(out).toBe('a https://cdn/u1/default b https://cdn/u2/48 c https://cdn/u1/default');
  });

  it('carries user ids with spaces, colons, braces or % percent-encoded, and round-trips them', () => {
    for (const userId of ['demo user', 'urn:user:7', 'a}b{c', '100%', 'plain-id', 'élève']) {
      const placeholder = avatarPlaceholder(userId, 48);
      expect(findAvatarPlaceholders(`<img src="${placeholder}">`)).toEqual([{ userId, size: 48 }]);
    }
    expect(avatarPlaceholder('plain-id')).toBe('{{avatar:plain-id}}');
    expect(avatarPlaceholder('demo user:x')).toBe('{{avatar:demo%20user%3Ax}}');
    // Invalid percent-encoding is taken literally rather than failing the mail.
    expect(findAvatarPlaceholders('{{avatar:50%off}}')).toEqual([{ userId: '50%off', size: undefined }]);
  });

  it('escapes URLs for HTML attributes', () => {
    expect(escapeHtmlAttribute('https://x/a?b=1&c="2"<>')).toBe('https://x/a?b=1&amp;c=&quot;2&quot;&lt;&gt;');
  });
});
