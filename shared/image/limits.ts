/**
 * The gate in front of every decoder: byte limit, magic-byte format, then dimensions and frame
 * count from the headers. Nothing here allocates pixels, so hostile files cost almost nothing.
 */
import { type ImageHeader, readImageHeader } from './header';
import type { PipelineError } from '../errors';
import { rejection } from './rejection';
import { type AcceptedFormat, sniffFormat } from './sniff';

export interface InputLimits {
  maxInputBytes: number;
  /** Width x height x frames, as the decoder would allocate it. */
  maxInputPixels: number;
  /** Shortest side accepted, in px. */
  minSide: number;
}

export interface InspectedInput {
  format: AcceptedFormat;
  header: ImageHeader;
}

const ACCEPTED_LIST = 'JPEG, PNG, GIF, WebP, AVIF or HEIC';

const megapixels = (pixels: number): string => `${(pixels / 1_000_000).toFixed(1)} Mpx`;

const mebibytes = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** Also used before a download: the object's Content-Length alone decides, no byte is read. */
export function tooLargeRejection(byteLength: number, maxInputBytes: number): PipelineError {
  return rejection('E_TOO_LARGE', `The file is ${mebibytes(byteLength)} (${byteLength} bytes); the limit is ${mebibytes(maxInputBytes)}.`);
}

export function inspectInput(bytes: Uint8Array, limits: InputLimits): InspectedInput {
  if (bytes.length > limits.maxInputBytes) throw tooLargeRejection(bytes.length, limits.maxInputBytes);
  const sniffed = sniffFormat(bytes);
  switch (sniffed.kind) {
    case 'empty':
      throw rejection('E_EMPTY', 'The file is empty (0 bytes).');
    case 'unknown':
      throw rejection('E_FORMAT_UNKNOWN', `The file is not an image we recognise; upload a ${ACCEPTED_LIST} file.`);
    case 'text':
      throw rejection('E_FORMAT_TEXT', `The file is ${sniffed.looksLike === 'text' ? 'plain text' : sniffed.looksLike.toUpperCase()}, not an image; upload a ${ACCEPTED_LIST} file.`);
    case 'refused':
      throw rejection('E_FORMAT_UNSUPPORTED', `${sniffed.format.toUpperCase()} files are not accepted; upload a ${ACCEPTED_LIST} file.`);
    case 'accepted':
      break;
    default: {
      const unreachable: never = sniffed;
      throw new Error(`unhandled sniff result ${JSON.stringify(unreachable)}`);
    }
  }

  const result = readImageHeader(sniffed.format, bytes);
  if (!result.ok) {
    throw result.problem === 'truncated'
      ? rejection('E_TRUNCATED', `The ${sniffed.format.toUpperCase()} file ends early: the upload is incomplete.`)
      : rejection('E_CORRUPT', `The ${sniffed.format.toUpperCase()} file has a damaged header.`);
  }
  const { width, height, frames } = result.header;
  const pixels = width * height * frames;
  if (pixels > limits.maxInputPixels) {
    const what = frames > 1 ? `${width}x${height} px x ${frames} frames` : `${width}x${height} px`;
    throw rejection('E_TOO_MANY_PIXELS', `The image is ${what} (${megapixels(pixels)}); the limit is ${megapixels(limits.maxInputPixels)}.`);
  }
  if (Math.min(width, height) < limits.minSide) {
    throw rejection('E_TOO_SMALL', `The image is ${width}x${height} px; each side must be at least ${limits.minSide} px.`);
  }
  return { format: sniffed.format, header: result.header };
}
