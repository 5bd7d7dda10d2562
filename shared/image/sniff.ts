/**
 * Format detection from magic bytes only. Extensions and Content-Type lie (iPhone `.jpg` files
 * are often HEIC, browsers label by extension), so the bytes are the only witness we trust.
 */
export type AcceptedFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'avif' | 'heic';

/** Recognised formats that we refuse, named so the message can say what was uploaded. */
export type RefusedFormat = 'svg' | 'tiff' | 'pdf' | 'bmp' | 'ico' | 'psd' | 'jxl' | 'jpeg2000';

export type SniffResult =
  | { kind: 'accepted'; format: AcceptedFormat }
  | { kind: 'refused'; format: RefusedFormat }
  | { kind: 'text'; looksLike: 'html' | 'xml' | 'json' | 'text' }
  | { kind: 'empty' }
  | { kind: 'unknown' };

const ascii = (bytes: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.length)));

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((byte, i) => bytes[offset + i] === byte);

/** HEIF brands that carry HEVC images (decoded with the wasm decoder). */
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

/** ISO-BMFF `ftyp`: major brand, then compatible brands; `mif1`/`msf1` alone say only "some HEIF". */
function sniffIsoBmff(bytes: Uint8Array): SniffResult | undefined {
  if (ascii(bytes, 4, 8) !== 'ftyp') return undefined;
  const boxSize = (bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!;
  const end = Math.min(bytes.length, boxSize >= 16 ? boxSize : 16);
  const brands = [ascii(bytes, 8, 12)];
  for (let offset = 16; offset + 4 <= end; offset += 4) brands.push(ascii(bytes, offset, offset + 4));
  if (brands.some((b) => AVIF_BRANDS.has(b))) return { kind: 'accepted', format: 'avif' };
  if (brands.some((b) => HEIC_BRANDS.has(b) || b === 'mif1' || b === 'msf1')) return { kind: 'accepted', format: 'heic' };
  if (brands.some((b) => b === 'jp2 ' || b === 'jpx ')) return { kind: 'refused', format: 'jpeg2000' };
  return { kind: 'unknown' };
}

/** Printable UTF-8 (any language): no control bytes, no invalid sequences except one cut at the end. */
function looksLikeUtf8Text(sample: Uint8Array): boolean {
  if (sample.some((b) => (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f)) return false;
  const text = new TextDecoder('utf-8').decode(sample);
  const replacement = text.indexOf('\ufffd');
  return replacement === -1 || replacement >= text.length - 1;
}

/** Text sniffing: an image never starts with printable text, but HTML error pages and SVG do. */
function sniffText(bytes: Uint8Array): SniffResult | undefined {
  let start = 0;
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) start = 3; // UTF-8 BOM
  const head = ascii(bytes, start, start + 1024);
  const trimmed = head.trimStart().toLowerCase();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype svg|<svg[\s>])/.test(trimmed)) return { kind: 'refused', format: 'svg' };
  if (/^(<!doctype html|<html|<head|<body|<!--)/.test(trimmed)) return { kind: 'text', looksLike: 'html' };
  if (trimmed.startsWith('<?xml') || trimmed.startsWith('<')) {
    return trimmed.includes('<svg') ? { kind: 'refused', format: 'svg' } : { kind: 'text', looksLike: 'xml' };
  }
  const sample = bytes.subarray(start, start + 512);
  if (sample.length === 0 || !looksLikeUtf8Text(sample)) return undefined;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return { kind: 'text', looksLike: 'json' };
  return { kind: 'text', looksLike: 'text' };
}

export function sniffFormat(bytes: Uint8Array): SniffResult {
  if (bytes.length === 0) return { kind: 'empty' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'accepted', format: 'jpeg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'accepted', format: 'png' };
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return { kind: 'accepted', format: 'gif' };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return { kind: 'accepted', format: 'webp' };
  const isoBmff = sniffIsoBmff(bytes);
  if (isoBmff !== undefined) return isoBmff;
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return { kind: 'refused', format: 'tiff' };
  if (startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])) return { kind: 'refused', format: 'tiff' };
  if (ascii(bytes, 0, 5) === '%PDF-') return { kind: 'refused', format: 'pdf' };
  if (ascii(bytes, 0, 2) === 'BM' && bytes.length >= 26) return { kind: 'refused', format: 'bmp' };
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00]) || startsWith(bytes, [0x00, 0x00, 0x02, 0x00])) return { kind: 'refused', format: 'ico' };
  if (ascii(bytes, 0, 4) === '8BPS') return { kind: 'refused', format: 'psd' };
  if (startsWith(bytes, [0xff, 0x0a]) || startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return { kind: 'refused', format: 'jxl' };
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20])) return { kind: 'refused', format: 'jpeg2000' };
  return sniffText(bytes) ?? { kind: 'unknown' };
}
