/**
 * HEIF colour: libheif (wasm) hands us RGBA numbers but not what they mean. iPhones tag their
 * photos Display P3, by an ICC profile (`colr` box of type `prof`/`rICC`) or by an `nclx`
 * colour description; read as sRGB those numbers look dull. This module reads the tag from the
 * container and turns the pixels into an image libvips can colour-manage like any other input.
 */
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

export type HeifColour = { kind: 'icc'; profile: Buffer } | { kind: 'nclx'; primaries: number } | { kind: 'none' };

/** ITU-T H.273 colour primaries code for Display P3 (SMPTE EG 432-1, D65 white). */
export const NCLX_PRIMARIES_DISPLAY_P3 = 12;

const u32be = (b: Uint8Array, at: number): number => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
const ascii = (b: Uint8Array, at: number, length: number): string => String.fromCharCode(...b.subarray(at, at + length));

/** Start and end of the top-level `meta` box, where the item properties live. */
function metaBox(bytes: Uint8Array): [number, number] | undefined {
  for (let at = 0; at + 8 <= bytes.length; ) {
    const size = u32be(bytes, at);
    if (size < 8) return undefined; // 64-bit or to-end sizes never occur before `meta` in camera files
    if (ascii(bytes, at + 4, 4) === 'meta') return [at + 12, Math.min(bytes.length, at + size)];
    at += size;
  }
  return undefined;
}

/** The first `colr` property in the `meta` box (the primary image's, in every camera file we know). */
export function readHeifColour(bytes: Uint8Array): HeifColour {
  const [start, stop] = metaBox(bytes) ?? [0, 0];
  for (let i = start + 4; i + 12 <= stop; i += 1) {
    if (bytes[i] !== 0x63 || ascii(bytes, i, 4) !== 'colr') continue;
    const size = u32be(bytes, i - 4);
    const type = ascii(bytes, i + 4, 4);
    const end = i - 4 + size;
    if (size < 12 || end > stop) continue;
    if (type === 'prof' || type === 'rICC') return { kind: 'icc', profile: Buffer.from(bytes.subarray(i + 8, end)) };
    if (type === 'nclx' && i + 10 <= end) return { kind: 'nclx', primaries: (bytes[i + 8]! << 8) | bytes[i + 9]! };
  }
  return { kind: 'none' };
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Adds an iCCP chunk right after IHDR: the PNG now says what its numbers mean, pixels untouched. */
export function withPngIccProfile(png: Buffer, profile: Buffer): Buffer {
  const afterIhdr = 8 + 12 + png.readUInt32BE(8);
  const iccp = pngChunk('iCCP', Buffer.concat([Buffer.from('heif\0', 'latin1'), Buffer.from([0]), deflateSync(profile)]));
  return Buffer.concat([png.subarray(0, afterIhdr), iccp, png.subarray(afterIhdr)]);
}

let displayP3Profile: Promise<Buffer> | undefined;
/** libvips' built-in Display P3 profile, fetched once from an image tagged with it. */
async function displayP3(): Promise<Buffer> {
  displayP3Profile ??= sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
    .withIccProfile('p3')
    .png()
    .toBuffer()
    .then(async (png) => {
      const icc = (await sharp(png).metadata()).icc;
      if (icc === undefined) throw new Error('libvips has no built-in p3 profile');
      return icc;
    });
  return displayP3Profile;
}

/** The ICC profile the pixels are in, or undefined when they already are sRGB (or say nothing). */
export async function profileFor(colour: HeifColour): Promise<Buffer | undefined> {
  switch (colour.kind) {
    case 'icc':
      return colour.profile;
    case 'nclx':
      return colour.primaries === NCLX_PRIMARIES_DISPLAY_P3 ? displayP3() : undefined;
    case 'none':
      return undefined;
    default: {
      const unreachable: never = colour;
      throw new Error(`unknown HEIF colour ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Raw RGBA in some profile -> a lossless PNG tagged with that profile (fastest zlib level: it
 * lives for one decode). The pipeline then converts it to sRGB exactly as it does a tagged JPEG.
 */
export async function taggedPng(raw: { data: Buffer; width: number; height: number; channels: 3 | 4 }, profile: Buffer): Promise<Buffer> {
  const png = await sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } })
    .png({ compressionLevel: 0, adaptiveFiltering: false })
    .toBuffer();
  return withPngIccProfile(png, profile);
}
