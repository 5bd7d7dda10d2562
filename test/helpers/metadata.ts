/**
 * Independent metadata readers for output checks: exifr (EXIF, GPS, XMP, IPTC, ICC) plus a raw
 * walk of JPEG segments and PNG chunks, so nothing hides in a segment exifr does not parse.
 */
import exifr from 'exifr';

/** JPEG marker segments before the scan, e.g. ['APP0', 'DQT', 'SOF2', ...]. */
export function jpegSegments(bytes: Buffer): string[] {
  const names: string[] = [];
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1]!;
    const name = marker >= 0xe0 && marker <= 0xef ? `APP${marker - 0xe0}` : marker === 0xfe ? 'COM' : `0x${marker.toString(16)}`;
    names.push(name);
    if (marker === 0xda) break;
    at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  return names;
}

export function pngChunks(bytes: Buffer): string[] {
  const names: string[] = [];
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    names.push(bytes.toString('latin1', at + 4, at + 8));
    at += 12 + length;
  }
  return names;
}

/** Everything exifr can find; `undefined` when the file carries no metadata at all. */
export async function exifrMetadata(bytes: Buffer): Promise<Record<string, unknown> | undefined> {
  return (await exifr.parse(bytes, { tiff: true, exif: true, gps: true, xmp: true, iptc: true, icc: true, jfif: false, ihdr: false, interop: true, makerNote: true, userComment: true })) as
    | Record<string, unknown>
    | undefined;
}

/** Names of every metadata-bearing segment or chunk found by the raw walk. */
export function metadataContainers(bytes: Buffer): string[] {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpegSegments(bytes).filter((s) => (s.startsWith('APP') && s !== 'APP0') || s === 'COM');
  // pHYs is pixel density only, the PNG twin of the JFIF APP0 density that every JPEG carries.
  const allowed = new Set(['IHDR', 'PLTE', 'tRNS', 'pHYs', 'IDAT', 'IEND']);
  return pngChunks(bytes).filter((chunk) => !allowed.has(chunk));
}
