import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NORMALIZE_OPTIONS, normalizeImage } from '../../shared/image/normalize';
import { corpusFile, hasCorpus } from '../helpers/corpus';

const OPTIONS = { ...DEFAULT_NORMALIZE_OPTIONS, sizes: [48, 96] };

/** 100x100 RGBA: opaque blue, with an optional transparent square in the middle. */
async function rgbaPng(transparentHole: boolean): Promise<Buffer> {
  const raw = Buffer.alloc(100 * 100 * 4);
  for (let i = 0; i < 100 * 100; i += 1) {
    const x = i % 100;
    const y = Math.floor(i / 100);
    const hole = transparentHole && x >= 30 && x < 70 && y >= 30 && y < 70;
    raw.set([0, 0, 255, hole ? 0 : 255], i * 4);
  }
  return sharp(raw, { raw: { width: 100, height: 100, channels: 4 } }).png().toBuffer();
}

async function centrePixel(image: Buffer): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const middle = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
  return [...data.subarray(middle, middle + info.channels)];
}

describe('transparency', () => {
  it('an alpha channel that is opaque everywhere gives JPEG only', async () => {
    const result = await normalizeImage(await rgbaPng(false), OPTIONS);
    expect(result.transparent).toBe(false);
    expect(result.variants.map((v) => v.format)).toEqual(['jpeg', 'jpeg']);
  });

  it('real transparency adds a PNG that keeps it, and flattens the JPEG on the configured background', async () => {
    const result = await normalizeImage(await rgbaPng(true), { ...OPTIONS, background: '#ff0000' });
    expect(result.transparent).toBe(true);
    expect(result.variants.map((v) => `${v.size}.${v.format}`)).toEqual(['48.jpeg', '48.png', '96.jpeg', '96.png']);
    const png = result.variants.find((v) => v.format === 'png' && v.size === 96)!;
    const jpeg = result.variants.find((v) => v.format === 'jpeg' && v.size === 96)!;
    expect((await centrePixel(png.body))[3]).toBe(0);
    const [r, g, b] = await centrePixel(jpeg.body);
    expect(r).toBeGreaterThan(230);
    expect(g! + b!).toBeLessThan(40);
  });

  it.skipIf(!hasCorpus)('the palette+tRNS logo keeps its transparent background in the PNG', async () => {
    const result = await normalizeImage(corpusFile('real_palette_trns_debian_logo.png'), OPTIONS);
    const png = result.variants.find((v) => v.format === 'png')!;
    const { data, info } = await sharp(png.body).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    expect(data[3]).toBe(0); // the top-left corner is transparent
  });
});
