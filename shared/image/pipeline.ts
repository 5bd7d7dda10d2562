/**
 * The image core: bytes in, email-safe variants out. Pure (no I/O besides sharp's CPU work), so
 * the Lambda, the CLI and the tests all run exactly the same code.
 *
 *   inspect (bytes, magic, header limits) -> decode once (shrink-on-load, auto-orient, sRGB)
 *   -> one square master at the largest size -> every smaller size from the master
 *   -> JPEG always, PNG too where alpha is really used. No metadata survives: sharp writes none
 *   unless asked, and the master is raw pixels, so nothing can leak from the source.
 */
import sharp, { type Sharp, type SharpOptions } from 'sharp';
import { isPipelineError } from '../errors';
import type { VariantFormat } from '../keys';
import { decodeHeic } from './heic';
import { profileFor, readHeifColour, taggedPng } from './heif-colour';
import { type InspectedInput, inspectInput } from './limits';
import { type NormalizeOptions, sizesFor } from './options';
import { rejection } from './rejection';
import { renditionHash } from './rendition-hash';
import type { AcceptedFormat } from './sniff';
import { type RawPixels, usesTransparency } from './transparency';

export interface SourceInfo {
  format: AcceptedFormat;
  /** As displayed, after EXIF orientation. */
  width: number;
  height: number;
}

export interface ImageVariant {
  size: number;
  format: VariantFormat;
  width: number;
  height: number;
  body: Buffer;
}

export interface NormalizedImage {
  /** Covers the input bytes and the output options: the same upload always maps to the same keys. */
  contentHash: string;
  source: SourceInfo;
  /** Ascending by size; JPEG before PNG at each size. */
  variants: ImageVariant[];
  /** Configured sizes left out because they would upscale the source more than `maxUpscale`. */
  skippedSizes: number[];
  transparent: boolean;
}

/** libvips messages that mean "the file ends early" rather than "the bytes are wrong". */
const TRUNCATION = /premature end|truncat|unexpected end|end of (file|stream|data)|bad seek|not enough data|out of data/i;

function decodeFailure(format: AcceptedFormat, error: unknown): Error {
  if (isPipelineError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/exceeds pixel limit/i.test(message)) return rejection('E_TOO_MANY_PIXELS', 'The image has more pixels than the limit.', error);
  if (TRUNCATION.test(message)) return rejection('E_TRUNCATED', `The ${format.toUpperCase()} file ends early: the upload is incomplete.`, error);
  return rejection('E_CORRUPT', `The ${format.toUpperCase()} file is damaged and cannot be decoded.`, error);
}

interface OpenedSource {
  image: () => Sharp;
  width: number;
  height: number;
}

/** One decoder per format family; every one is capped at the same pixel limit. */
async function openSource(input: Buffer, inspected: InspectedInput, options: NormalizeOptions): Promise<OpenedSource> {
  if (inspected.format === 'heic') {
    const raw = await decodeHeic(input, options.maxInputPixels);
    // libheif applies the HEIF rotation/mirror properties itself; EXIF orientation in HEIF is informational.
    const profile = await profileFor(readHeifColour(input));
    if (profile === undefined) {
      return { image: () => sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } }), width: raw.width, height: raw.height };
    }
    const tagged = await taggedPng(raw, profile);
    return { image: () => sharp(tagged, { limitInputPixels: options.maxInputPixels }), width: raw.width, height: raw.height };
  }
  const decoderOptions: SharpOptions = {
    limitInputPixels: options.maxInputPixels,
    failOn: 'truncated',
    autoOrient: true,
    pages: 1, // GIF/WebP animations: the first frame
    sequentialRead: true,
  };
  const metadata = await sharp(input, decoderOptions).metadata();
  return { image: () => sharp(input, decoderOptions), width: metadata.autoOrient.width, height: metadata.autoOrient.height };
}

async function renderMaster(source: OpenedSource, size: number, options: NormalizeOptions): Promise<RawPixels> {
  // Resizing straight from the encoded input lets libvips shrink JPEG/WebP on load (decode at 1/2, 1/4, 1/8).
  const { data, info } = await source
    .image()
    .resize(size, size, { fit: 'cover', position: options.cropPosition })
    .toColourspace('srgb') // converts from any embedded ICC profile; CMYK without one uses libvips' built-in profile
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const channels = info.channels;
  if (channels !== 3 && channels !== 4) throw new Error(`unexpected master with ${channels} channels`);
  return { data, width: info.width, height: info.height, channels };
}

async function encodeVariant(master: RawPixels, size: number, format: VariantFormat, options: NormalizeOptions): Promise<ImageVariant> {
  let pipeline = sharp(master.data, { raw: { width: master.width, height: master.height, channels: master.channels } });
  if (size !== master.width) pipeline = pipeline.resize(size, size, { kernel: 'lanczos3' });
  switch (format) {
    case 'jpeg':
      pipeline = pipeline.flatten({ background: options.background }).jpeg({ quality: options.jpegQuality, mozjpeg: true, progressive: true });
      break;
    case 'png':
      pipeline = pipeline.png({ compressionLevel: 9, adaptiveFiltering: true });
      break;
    default: {
      const unreachable: never = format;
      throw new Error(`unknown variant format ${String(unreachable)}`);
    }
  }
  const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
  return { size, format, width: info.width, height: info.height, body: data };
}

export async function normalizeImage(input: Buffer, options: NormalizeOptions): Promise<NormalizedImage> {
  const inspected = inspectInput(input, options);
  let source: OpenedSource;
  let master: RawPixels;
  const sizes = sizesFor(Math.min(inspected.header.width, inspected.header.height), options);
  try {
    source = await openSource(input, inspected, options);
    master = await renderMaster(source, sizes.at(-1) ?? options.sizes[0] ?? 48, options);
  } catch (error) {
    throw decodeFailure(inspected.format, error);
  }
  const transparent = await usesTransparency(master);
  const variants: ImageVariant[] = [];
  for (const size of sizes) {
    variants.push(await encodeVariant(master, size, 'jpeg', options));
    if (transparent) variants.push(await encodeVariant(master, size, 'png', options));
  }
  return {
    contentHash: renditionHash(input, options),
    source: { format: inspected.format, width: source.width, height: source.height },
    variants,
    skippedSizes: options.sizes.filter((size) => !sizes.includes(size)),
    transparent,
  };
}
