/**
 * The image core: bytes in, email-safe JPEG variants out. Pure (no I/O besides sharp's CPU work),
 * so the Lambda, the CLI and the tests all run exactly the same code.
 */
import { createHash } from 'node:crypto';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { permanentError } from '../errors';
import type { VariantFormat } from '../keys';

export interface NormalizeOptions {
  /** Output edge lengths in px, e.g. [48, 96, 192, 512]: the 2x of 24/48/96/256 display sizes. */
  sizes: readonly number[];
  jpegQuality: number;
  maxInputBytes: number;
  maxInputPixels: number;
  /** Background that transparent pixels are flattened onto in the JPEG. */
  background: string;
}

export const DEFAULT_NORMALIZE_OPTIONS: NormalizeOptions = {
  sizes: [48, 96, 192, 512],
  jpegQuality: 82,
  maxInputBytes: 20 * 1024 * 1024,
  maxInputPixels: 40_000_000,
  background: '#ffffff',
};

export interface SourceInfo {
  format: string;
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
  /** Hash of the input bytes: the same upload always maps to the same keys. */
  contentHash: string;
  source: SourceInfo;
  variants: ImageVariant[];
}

const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'gif', 'webp', 'heif']);

export const contentHashOf = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex').slice(0, 20);

export async function normalizeImage(input: Buffer, options: NormalizeOptions): Promise<NormalizedImage> {
  if (input.length === 0) throw permanentError('E_EMPTY', 'The upload is empty (0 bytes).');
  if (input.length > options.maxInputBytes) {
    throw permanentError('E_TOO_LARGE', `The upload is ${input.length} bytes; the limit is ${options.maxInputBytes}.`);
  }
  const decoderOptions = { limitInputPixels: options.maxInputPixels, failOn: 'error' as const };

  let metadata: Metadata;
  try {
    metadata = await sharp(input, decoderOptions).metadata();
  } catch (error) {
    throw permanentError('E_FORMAT', 'The upload is not an image format we accept (JPEG, PNG, GIF, WebP, AVIF, HEIC).', error);
  }
  if (!ACCEPTED_FORMATS.has(metadata.format)) {
    throw permanentError('E_FORMAT', `Images in ${metadata.format} format are not accepted.`);
  }
  const source: SourceInfo = {
    format: metadata.format,
    width: metadata.autoOrient.width,
    height: metadata.autoOrient.height,
  };

  const largest = Math.max(...options.sizes);
  let master: { data: Buffer; info: OutputInfo };
  try {
    // One master at the largest size; smaller sizes come from it, so every size shows the same crop.
    master = await sharp(input, { ...decoderOptions, autoOrient: true })
      .resize(largest, largest, { fit: 'cover', position: 'centre' })
      .flatten({ background: options.background })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw permanentError('E_DECODE', `The image could not be decoded: ${(error as Error).message}`, error);
  }

  const raw = { width: master.info.width, height: master.info.height, channels: master.info.channels };
  const variants: ImageVariant[] = [];
  for (const size of options.sizes) {
    const { data, info } = await sharp(master.data, { raw })
      .resize(size, size)
      .jpeg({ quality: options.jpegQuality, mozjpeg: true, progressive: true })
      .toBuffer({ resolveWithObject: true });
    variants.push({ size, format: 'jpeg', width: info.width, height: info.height, body: data });
  }

  return { contentHash: contentHashOf(input), source, variants };
}
