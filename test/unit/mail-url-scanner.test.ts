import { describe, expect, it } from 'vitest';
import { findUrls, replaceUrls } from '../../shared/mail/url-scanner';

const NEW = 'https://cdn.example/avatars/P/H/96.jpg';
const rewriteAll = (body: string, format: 'html' | 'text' = 'html') => replaceUrls(body, format, () => NEW);

describe('url scanner: where a URL ends', () => {
  it('keeps an HTML entity that follows a URL (&nbsp;, &gt;, numeric references)', () => {
    expect(rewriteAll('<p>photo: https://b.s3.amazonaws.com/u/p.jpg?a=1&amp;b=2&nbsp;(new)</p>')).toBe(`<p>photo: ${NEW}&nbsp;(new)</p>`);
    expect(rewriteAll('<p>&lt;https://b.s3.amazonaws.com/u/p.jpg?a=1&amp;b=2&gt;</p>')).toBe(`<p>&lt;${NEW}&gt;</p>`);
    expect(rewriteAll('x https://a/p.jpg&#160;y https://a/q.jpg&#xA0;z https://a/r.jpg&NBSP;')).toBe(`x ${NEW}&#160;y ${NEW}&#xA0;z ${NEW}&NBSP;`);
  });

  it('keeps encoded ampersands (&amp;, &#38;, &#x26;, any case) inside the URL', () => {
    expect(findUrls('https://a/x?b=1&amp;c=2&#38;d=3&#x26;e=4&AMP;f=5&#X26;g=6', 'html').map((u) => u.url)).toEqual(['https://a/x?b=1&c=2&d=3&e=4&f=5&g=6']);
  });

  it('does not eat an entity when trimming sentence punctuation', () => {
    expect(rewriteAll('See https://a/p.jpg&hellip; or https://a/q.jpg.&nbsp;')).toBe(`See ${NEW}&hellip; or ${NEW}.&nbsp;`);
    expect(findUrls('https://a/x?b=1&amp;', 'html').map((u) => u.raw)).toEqual(['https://a/x?b=1&amp;']);
  });

  it('leaves text bodies alone: there `&name;` is query text, not an entity', () => {
    expect(findUrls('https://a/x?b=1&nbsp;c', 'text').map((u) => u.url)).toEqual(['https://a/x?b=1&nbsp;c']);
  });
});
