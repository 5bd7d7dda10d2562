import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NORMALIZE_OPTIONS, normalizeImage, sizesFor } from '../../shared/image/normalize';
import { renditionHash } from '../../shared/image/rendition-hash';
import { corpusFile, hasCorpus } from '../helpers/corpus';
import { meanDeltaE, rgbPixels } from '../helpers/pixels';

describe('sizes and upscaling', () => {
  const options = { sizes: [48, 96, 192, 512], maxUpscale: 2 };

  it('keeps sizes up to maxUpscale x the shortest side', () => {
    expect(sizesFor(4000, options)).toEqual([48, 96, 192, 512]);
    expect(sizesFor(256, options)).toEqual([48, 96, 192, 512]);
    expect(sizesFor(255, options)).toEqual([48, 96, 192]);
    expect(sizesFor(96, options)).toEqual([48, 96, 192]);
    expect(sizesFor(95, options)).toEqual([48, 96]);
  });

  it('always keeps the smallest size, so every accepted upload has an avatar', () => {
    expect(sizesFor(16, options)).toEqual([48]);
    expect(sizesFor(16, { sizes: [96, 48], maxUpscale: 1 })).toEqual([48]);
  });

  it('records skipped sizes and never upscales a small source to 512', async () => {
    const small = await sharp({ create: { width: 100, height: 60, channels: 3, background: '#336699' } }).png().toBuffer();
    const result = await normalizeImage(small, DEFAULT_NORMALIZE_OPTIONS);
    expect(result.variants.map((v) => v.size)).toEqual([48, 96]);
    expect(result.skippedSizes).toEqual([192, 512]);
    expect(result.source).toEqual({ format: 'png', width: 100, height: 60 });
  });
});

describe('rendition hash', () => {
  const input = Buffer.from('same bytes');

  it('is stable for the same bytes and options', () => {
    expect(renditionHash(input, DEFAULT_NORMALIZE_OPTIONS)).toBe(renditionHash(Buffer.from('same bytes'), { ...DEFAULT_NORMALIZE_OPTIONS }));
    expect(renditionHash(input, DEFAULT_NORMALIZE_OPTIONS)).toMatch(/^[0-9a-f]{20}$/);
  });

  it('changes with the bytes and with every option that changes the output', () => {
    const base = renditionHash(input, DEFAULT_NORMALIZE_OPTIONS);
    expect(renditionHash(Buffer.from('other bytes'), DEFAULT_NORMALIZE_OPTIONS)).not.toBe(base);
    for (const change of [{ jpegQuality: 90 }, { background: '#000000' }, { cropPosition: 'attention' as const }, { sizes: [64] }, { maxUpscale: 3 }]) {
      expect(renditionHash(input, { ...DEFAULT_NORMALIZE_OPTIONS, ...change })).not.toBe(base);
    }
  });
});

describe.skipIf(!hasCorpus)('one master, the same crop at every size', () => {
  it.each(['centre', 'attention'] as const)('%s: the 48 px variant is the 512 px variant scaled down', async (cropPosition) => {
    const result = await normalizeImage(corpusFile('real_panorama_10000x783.jpg'), { ...DEFAULT_NORMALIZE_OPTIONS, cropPosition });
    const large = result.variants.find((v) => v.size === 512)!;
    const small = result.variants.find((v) => v.size === 48)!;
    const scaledDown = await rgbPixels(large.body, { width: 48, height: 48 });
    const distance = meanDeltaE(await rgbPixels(small.body), scaledDown);
    expect(distance).toBeLessThan(7); // JPEG noise at 48 px
    // Control: another square of the same panorama is far further away than that noise.
    const otherSquare = await sharp(corpusFile('real_panorama_10000x783.jpg')).extract({ left: 0, top: 0, width: 783, height: 783 }).png().toBuffer();
    expect(meanDeltaE(await rgbPixels(small.body), await rgbPixels(otherSquare, { width: 48, height: 48 }))).toBeGreaterThan(2 * distance);
  });

  it('attention and centre crops of a panorama differ (the option is honoured)', async () => {
    const input = corpusFile('real_panorama_10000x783.jpg');
    const centre = await normalizeImage(input, { ...DEFAULT_NORMALIZE_OPTIONS, sizes: [96] });
    const attention = await normalizeImage(input, { ...DEFAULT_NORMALIZE_OPTIONS, sizes: [96], cropPosition: 'attention' });
    expect(centre.contentHash).not.toBe(attention.contentHash);
    expect(meanDeltaE(await rgbPixels(centre.variants[0]!.body), await rgbPixels(attention.variants[0]!.body))).toBeGreaterThan(3);
  });

  it('the same input gives byte-identical variants (re-delivery rewrites identical objects)', async () => {
    const input = corpusFile('real_wizard_progressive.jpg');
    const first = await normalizeImage(input, DEFAULT_NORMALIZE_OPTIONS);
    const second = await normalizeImage(Buffer.from(input), DEFAULT_NORMALIZE_OPTIONS);
    expect(second.contentHash).toBe(first.contentHash);
    expect(second.variants.map((v) => v.body.toString('base64'))).toEqual(first.variants.map((v) => v.body.toString('base64')));
  });

  it('decodes only the first frame of an animated GIF', async () => {
    const result = await normalizeImage(corpusFile('real_animated_10f.gif'), { ...DEFAULT_NORMALIZE_OPTIONS, sizes: [96] });
    const firstFrame = await sharp(corpusFile('real_animated_10f.gif'), { pages: 1 }).resize(96, 96).flatten({ background: '#fff' }).png().toBuffer();
    expect(meanDeltaE(await rgbPixels(result.variants[0]!.body), await rgbPixels(firstFrame))).toBeLessThan(4);
  });
});
