/**
 * Image dimensions and frame counts read from the container headers alone, without decoding a
 * pixel. This is what lets a 100 KB file that declares 30000x30000 be refused in microseconds
 * instead of costing gigabytes of memory (decompression bombs).
 */
import type { AcceptedFormat } from './sniff';

export interface ImageHeader {
  width: number;
  height: number;
  /** Frames the decoder would have to allocate (GIF/APNG/WebP animation); 1 for stills. */
  frames: number;
}

/** `truncated`: the headers end before the dimensions; `corrupt`: they are malformed. */
export type HeaderResult = { ok: true; header: ImageHeader } | { ok: false; problem: 'truncated' | 'corrupt' };

const truncated: HeaderResult = { ok: false, problem: 'truncated' };
const corrupt: HeaderResult = { ok: false, problem: 'corrupt' };
const found = (width: number, height: number, frames = 1): HeaderResult =>
  width > 0 && height > 0 ? { ok: true, header: { width, height, frames } } : corrupt;

const u16be = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const u16le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const u24le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const u32be = (b: Uint8Array, at: number): number => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
const u32le = (b: Uint8Array, at: number): number => b[at]! + (b[at + 1]! << 8) + (b[at + 2]! << 16) + ((b[at + 3]! << 24) >>> 0);
const ascii = (b: Uint8Array, at: number, length: number): string => String.fromCharCode(...b.subarray(at, at + length));

/** Walks JPEG marker segments up to the first SOFn (baseline, progressive, lossless, arithmetic). */
export function readJpegHeader(b: Uint8Array): HeaderResult {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return corrupt;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = u16be(b, at + 2);
    if (length < 2) return corrupt;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (at + 9 > b.length) return truncated;
      return found(u16be(b, at + 7), u16be(b, at + 5));
    }
    if (marker === 0xda || marker === 0xd9) return corrupt; // scan data before any frame header
    at += 2 + length;
  }
  return truncated;
}

/**
 * IHDR, plus `acTL` for animated PNGs (each frame is a full canvas for the decoder). The chunk
 * headers are walked to IEND (8 bytes read per chunk, data skipped), which tells a cut-off
 * upload from a damaged one before libpng would report either as a generic read error.
 */
export function readPngHeader(b: Uint8Array): HeaderResult {
  if (b.length < 24) return truncated;
  if (ascii(b, 12, 4) !== 'IHDR') return corrupt;
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  let frames = 1;
  for (let at = 8; ; ) {
    if (at + 8 > b.length) return truncated;
    const length = u32be(b, at);
    const type = ascii(b, at + 4, 4);
    if (type === 'acTL' && at + 12 <= b.length) frames = Math.max(1, u32be(b, at + 8));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  return found(width, height, frames);
}

function skipGifSubBlocks(b: Uint8Array, at: number): number {
  let position = at;
  while (position < b.length) {
    const size = b[position]!;
    position += 1 + size;
    if (size === 0) return position;
  }
  return -1;
}

/**
 * Logical screen size times the number of image descriptors: every frame is decoded on that
 * canvas. A GIF without its trailer byte is an incomplete upload.
 */
export function readGifHeader(b: Uint8Array): HeaderResult {
  if (b.length < 13) return truncated;
  const width = u16le(b, 6);
  const height = u16le(b, 8);
  const flags = b[10]!;
  let at = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 0x07) + 1) : 0);
  let frames = 0;
  while (at < b.length) {
    const introducer = b[at]!;
    if (introducer === 0x3b) return frames > 0 ? found(width, height, frames) : corrupt; // trailer
    if (introducer === 0x21) {
      at = skipGifSubBlocks(b, at + 2);
    } else if (introducer === 0x2c) {
      if (at + 10 > b.length) return truncated;
      frames += 1;
      const local = b[at + 9]!;
      at += 10 + (local & 0x80 ? 3 * 2 ** ((local & 0x07) + 1) : 0);
      at = skipGifSubBlocks(b, at + 1); // LZW minimum code size, then data sub-blocks
    } else {
      return corrupt;
    }
    if (at < 0) return truncated;
  }
  return truncated;
}

/** Simple (`VP8 `/`VP8L`) and extended (`VP8X`) WebP; animations count their `ANMF` chunks. */
export function readWebpHeader(b: Uint8Array): HeaderResult {
  if (b.length < 30) return truncated;
  // The RIFF header states the file's length: fewer bytes than that means a cut-off upload.
  if (u32le(b, 4) + 8 > b.length) return truncated;
  const chunk = ascii(b, 12, 4);
  const data = 20;
  switch (chunk) {
    case 'VP8 ':
      if (b[data + 3] !== 0x9d || b[data + 4] !== 0x01 || b[data + 5] !== 0x2a) return corrupt;
      return found(u16le(b, data + 6) & 0x3fff, u16le(b, data + 8) & 0x3fff);
    case 'VP8L': {
      if (b[data] !== 0x2f) return corrupt;
      const bits = u32le(b, data + 1);
      return found((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
    }
    case 'VP8X': {
      const width = u24le(b, data + 4) + 1;
      const height = u24le(b, data + 7) + 1;
      const animated = (b[data]! & 0x02) !== 0;
      if (!animated) return found(width, height);
      let frames = 0;
      for (let at = 12; at + 8 <= b.length; ) {
        if (ascii(b, at, 4) === 'ANMF') frames += 1;
        const size = u32le(b, at + 4);
        at += 8 + size + (size % 2);
      }
      return found(width, height, Math.max(1, frames));
    }
    default:
      return corrupt;
  }
}

/**
 * HEIF/AVIF: the largest `ispe` (image spatial extent) property in the `meta` box. Grid images
 * list their tiles and the full canvas; the canvas is the largest, which is what gets decoded.
 */
export function readIsoBmffHeader(b: Uint8Array): HeaderResult {
  let at = 0;
  let header: HeaderResult | undefined;
  // Every top-level box must fit in the file: an `mdat` running past the end is a cut-off upload.
  while (at + 8 <= b.length) {
    let size = u32be(b, at);
    const type = ascii(b, at + 4, 4);
    let headerSize = 8;
    if (size === 1) {
      if (at + 16 > b.length) return truncated;
      size = u32be(b, at + 8) * 2 ** 32 + u32be(b, at + 12);
      headerSize = 16;
    } else if (size === 0) {
      size = b.length - at;
    }
    if (size < headerSize) return corrupt;
    if (at + size > b.length) return truncated;
    if (type === 'meta') header = largestExtent(b, at + headerSize, at + size);
    at += size;
  }
  if (at < b.length) return truncated; // a box header cut in half
  return header ?? corrupt;
}

function largestExtent(b: Uint8Array, start: number, end: number): HeaderResult {
  let width = 0;
  let height = 0;
  for (let i = start; i + 16 <= end; i += 1) {
    if (b[i] === 0x69 && ascii(b, i, 4) === 'ispe') {
      const w = u32be(b, i + 8);
      const h = u32be(b, i + 12);
      if (w * h > width * height) [width, height] = [w, h];
    }
  }
  return found(width, height);
}

export function readImageHeader(format: AcceptedFormat, bytes: Uint8Array): HeaderResult {
  switch (format) {
    case 'jpeg':
      return readJpegHeader(bytes);
    case 'png':
      return readPngHeader(bytes);
    case 'gif':
      return readGifHeader(bytes);
    case 'webp':
      return readWebpHeader(bytes);
    case 'avif':
    case 'heic':
      return readIsoBmffHeader(bytes);
    default: {
      const unreachable: never = format;
      throw new Error(`no header reader for ${String(unreachable)}`);
    }
  }
}
