/** What the image core can be told to do; parsed from env in shared/config.ts. */
export type CropPosition = 'centre' | 'attention';

export interface NormalizeOptions {
  /** Output edge lengths in px, e.g. [48, 96, 192, 512]: the 2x of 24/48/96/256 display sizes. */
  sizes: readonly number[];
  jpegQuality: number;
  maxInputBytes: number;
  /** Width x height x frames, checked from the headers before decoding. */
  maxInputPixels: number;
  /** Shortest side accepted, in px. */
  minSide: number;
  /** Background that transparent pixels are flattened onto in the JPEG. */
  background: string;
  /** Which square the crop keeps: the middle, or libvips' attention (salient region) strategy. */
  cropPosition: CropPosition;
  /**
   * A size is produced only if it is at most this many times the source's shortest side; the
   * smallest configured size is always produced so that every accepted upload has an avatar.
   */
  maxUpscale: number;
}

export const DEFAULT_NORMALIZE_OPTIONS: NormalizeOptions = {
  sizes: [48, 96, 192, 512],
  jpegQuality: 82,
  maxInputBytes: 20 * 1024 * 1024,
  maxInputPixels: 40_000_000,
  minSide: 16,
  background: '#ffffff',
  cropPosition: 'centre',
  maxUpscale: 2,
};

/** Sizes this source may be published at (ascending), honouring `maxUpscale`. */
export function sizesFor(shortestSide: number, options: Pick<NormalizeOptions, 'sizes' | 'maxUpscale'>): number[] {
  const ascending = [...options.sizes].sort((a, b) => a - b);
  const allowed = ascending.filter((size) => size <= shortestSide * options.maxUpscale);
  return allowed.length > 0 ? allowed : ascending.slice(0, 1);
}
