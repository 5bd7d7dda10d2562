import { describe, expect, it } from 'vitest';
import { sniffFormat } from '../../shared/image/sniff';
import { corpusFile, hasCorpus } from '../helpers/corpus';

const bytes = (...parts: Array<string | number[]>): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));

const ftyp = (major: string, ...compatible: string[]): Buffer => {
  const body = bytes('ftyp', major, [0, 0, 0, 0], ...compatible);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(body.length + 4);
  return Buffer.concat([size, body, Buffer.alloc(16)]);
};

describe('sniffFormat: magic bytes only', () => {
  it.each([
    ['jpeg', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16])],
    ['png', bytes([0x89], 'PNG\r\n', [0x1a, 0x0a], 'rest')],
    ['gif', bytes('GIF89a', [1, 0, 1, 0])],
    ['gif', bytes('GIF87a', [1, 0, 1, 0])],
    ['webp', bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 ')],
    ['heic', ftyp('heic', 'mif1', 'heic')],
    ['heic', ftyp('mif1', 'heic', 'miaf')],
    ['heic', ftyp('hevc', 'msf1')],
    ['avif', ftyp('avif', 'mif1', 'miaf')],
    ['avif', ftyp('mif1', 'avif')],
  ])('accepts %s', (format, input) => {
    expect(sniffFormat(input)).toEqual({ kind: 'accepted', format });
  });

  it.each([
    ['svg', bytes('<?xml version="1.0"?>\n<!-- logo -->\n<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['svg', bytes('<svg width="1" height="1"></svg>')],
    ['svg', bytes('<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" ""><svg/>')],
    ['tiff', bytes('II*', [0, 8, 0, 0, 0])],
    ['tiff', bytes('MM', [0, 0x2a, 0, 0, 0, 8])],
    ['pdf', bytes('%PDF-1.7\n%')],
    ['bmp', bytes('BM', Array.from({ length: 40 }, () => 0))],
    ['psd', bytes('8BPS', [0, 1])],
    ['jpeg2000', ftyp('jp2 ', 'jp2 ')],
  ])('names refused formats: %s', (format, input) => {
    expect(sniffFormat(input)).toEqual({ kind: 'refused', format });
  });

  it.each([
    ['html', '<!DOCTYPE html><html><body>Access denied</body></html>'],
    ['html', '\ufeff  <html lang="en">'],
    ['xml', '<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>'],
    ['json', '{"message": "Forbidden"}'],
    ['text', 'hello, this is not an image\n'],
    ['text', 'Grüße, ceci n’est pas une image — это не картинка\n'],
  ])('recognises text as text: %s', (looksLike, text) => {
    expect(sniffFormat(Buffer.from(text, 'utf8'))).toEqual({ kind: 'text', looksLike });
  });

  it('reports empty and unknown bytes', () => {
    expect(sniffFormat(Buffer.alloc(0))).toEqual({ kind: 'empty' });
    expect(sniffFormat(Buffer.from([0x00, 0x01, 0x02, 0x03, 0xfe, 0x80]))).toEqual({ kind: 'unknown' });
    expect(sniffFormat(Buffer.from([0x41, 0x42, 0xc3, 0x28, 0x41, 0x42, 0x43, 0x44]))).toEqual({ kind: 'unknown' }); // invalid UTF-8
    expect(sniffFormat(ftyp('isom', 'mp41'))).toEqual({ kind: 'unknown' });
  });

  it.skipIf(!hasCorpus)('trusts bytes over names: PNG and HTML files named .jpg', () => {
    expect(sniffFormat(corpusFile('derived_png_named.jpg'))).toEqual({ kind: 'accepted', format: 'png' });
    expect(sniffFormat(corpusFile('derived_html_named.jpg'))).toEqual({ kind: 'text', looksLike: 'html' });
    expect(sniffFormat(corpusFile('derived_heic_from_nokia.heic'))).toEqual({ kind: 'accepted', format: 'heic' });
  });
});
