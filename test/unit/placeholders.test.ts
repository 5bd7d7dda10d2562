import { describe, expect, it } from 'vitest';
import { avatarPlaceholder, escapeHtmlAttribute, findAvatarPlaceholders, replaceAvatarPlaceholders } from '../../shared/mail/placeholders';
import { malformedAvatarPlaceholders, unresolvedTokens } from '../../shared/mail/template-tokens';

describe('avatar placeholders', () => {
  it('finds {{avatar:<userId>}} and {{avatar:<userId>:<size>}}', () => {
    expect(findAvatarPlaceholders('<img src="{{avatar:u-1}}"> and {{avatar:u+2:192}} and {{ avatar:x }}')).toEqual([
      { userId: 'u-1', size: undefined },
      { userId: 'u+2', size: 192 },
      { userId: 'x', size: undefined },
    ]);
  });

  it('find/replace skip other mustache variables and malformed placeholders (rendering then refuses the malformed ones)', () => {
    const text = '{{name}} {{avatar:}} {{avatar:u:big}} {{avatar:a b}} {avatar:u}';
    expect(findAvatarPlaceholders(text)).toEqual([]);
    expect(replaceAvatarPlaceholders(text, () => 'X')).toBe(text);
    // Not sent as is: the left-over tokens are what makes the job fail (E_JOB_PLACEHOLDER, see mail-render.test.ts).
    expect(unresolvedTokens(text)).toEqual(['{{avatar:}}', '{{avatar:u:big}}', '{{avatar:a b}}']);
  });

  it('tells which {{...}} tokens are neither a placeholder nor a variable', () => {
    expect(unresolvedTokens('{{name}} {{ order.total }} {{avatar:u1}} {{ avatar:u2:48 }} {{avatar:demo%20user}} {a} }} plain')).toEqual([]);
    expect(unresolvedTokens('<img src="{{avatar:a b}}"> {{ first-name }} {{avatar:alice:big}} {{ first-name }}')).toEqual([
      '{{avatar:a b}}', '{{ first-name }}', '{{avatar:alice:big}}',
    ]);
    // A raw brace inside, triple braces, an empty token, a closing brace missing.
    expect(unresolvedTokens('{{avatar:a}b}} {{{name}}} {{}} <img src="{{avatar:bob">')).toEqual(['{{avatar:a}b}}', '{{{name}}', '{{}}', '{{avatar:bob">']);
    expect(unresolvedTokens(`{{${'x-'.repeat(50)}}}`)).toEqual([`{{${'x-'.repeat(29)}...`]);
  });

  it('in SES template data, flags malformed avatar placeholders only (other braces are values SES inserts)', () => {
    expect(malformedAvatarPlaceholders('{{avatar:u1:96}} {{ first-name }} {{Avatar:x y}} {{avatar:u:big}}')).toEqual(['{{Avatar:x y}}', '{{avatar:u:big}}']);
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
