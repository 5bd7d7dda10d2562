/**
 * The `<contentHash>` path segment. It covers the input bytes and every option that changes the
 * output, so one key always names one byte sequence: re-delivered events rewrite identical
 * objects, and a new JPEG quality never hides behind a year-long immutable cache entry.
 */
import { createHash } from 'node:crypto';
import type { NormalizeOptions } from './options';

/** Bump when the pipeline's output changes for the same input and options. */
export const PIPELINE_VERSION = 2;

export function renditionHash(input: Uint8Array, options: NormalizeOptions): string {
  const recipe = {
    v: PIPELINE_VERSION,
    sizes: [...options.sizes].sort((a, b) => a - b),
    q: options.jpegQuality,
    bg: options.background.toLowerCase(),
    crop: options.cropPosition,
    up: options.maxUpscale,
  };
  return createHash('sha256').update(input).update(JSON.stringify(recipe)).digest('hex').slice(0, 20);
}
