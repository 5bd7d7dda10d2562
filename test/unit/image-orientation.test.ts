/**
 * All 8 EXIF orientations: a stored image plus its Orientation tag must come out exactly like the
 * upright reference. The stored pixels are made with plain index arithmetic (not sharp), so the
 * test does not trust the code under test to define what "rotated" means.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NORMALIZE_OPTIONS, normalizeImage } from '../../shared/image/normalize';
import { corpusFile, hasCorpus } from '../helpers/corpus';
import { meanDeltaE, type Raw, rgbPixels } from '../helpers/pixels';

type Mapping = (x: number, y: number, w: number, h: number) => [number, number];

/** new(x, y) = old(mapping(x, y)): the inverse of what each orientation asks a viewer to do. */
function transform(image: Raw, mapping: Mapping, swap: boolean): Raw {
  const width = swap ? image.height : image.width;
  const height = swap ? image.width : image.height;
  const data = Buffer.alloc(image.data.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const [ox, oy] = mapping(x, y, image.width, image.height);
      image.data.copy(data, (y * width + x) * 3, (oy * image.width + ox) * 3, (oy * image.width + ox) * 3 + 3);
    }
  }
  return { data, width, height, channels: 3 };
}

/** What to store so that a viewer applying orientation N shows the upright image (EXIF 2.32, 4.6.4). */
const STORE_FOR: Record<number, { mapping: Mapping; swap: boolean }> = {
  1: { mapping: (x, y) => [x, y], swap: false },
  2: { mapping: (x, y, w) => [w - 1 - x, y], swap: false }, // viewer mirrors horizontally
  3: { mapping: (x, y, w, h) => [w - 1 - x, h - 1 - y], swap: false }, // viewer rotates 180
  4: { mapping: (x, y, _w, h) => [x, h - 1 - y], swap: false }, // viewer mirrors vertically
  5: { mapping: (x, y) => [y, x], swap: true }, // viewer transposes
  6: { mapping: (x, y, w) => [w - 1 - y, x], swap: true }, // viewer rotates 90 CW: store rotated 90 CCW
  7: { mapping: (x, y, w, h) => [w - 1 - y, h - 1 - x], swap: true }, // viewer transverses
  8: { mapping: (x, y, _w, h) => [y, h - 1 - x], swap: true }, // viewer rotates 90 CCW: store rotated 90 CW
};

/** 120x80 with four distinct quadrants and a marker: every flip and rotation looks different. */
async function uprightReference(): Promise<Raw> {
  const quadrant = (colour: string) => sharp({ create: { width: 60, height: 40, channels: 3, background: colour } }).png().toBuffer();
  const [red, green, blue, yellow] = await Promise.all(['#e00000', '#00c000', '#0000e0', '#e0e000'].map(quadrant));
  const png = await sharp({ create: { width: 120, height: 80, channels: 3, background: '#000' } })
    .composite([
      { input: red!, left: 0, top: 0 },
      { input: green!, left: 60, top: 0 },
      { input: blue!, left: 0, top: 40 },
      { input: yellow!, left: 60, top: 40 },
    ])
    .png()
    .toBuffer();
  return rgbPixels(png);
}

const OPTIONS = { ...DEFAULT_NORMALIZE_OPTIONS, sizes: [48, 96] };

describe('EXIF orientation', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('orientation %i comes out upright', async (orientation) => {
    const upright = await uprightReference();
    const { mapping, swap } = STORE_FOR[orientation]!;
    const stored = transform(upright, mapping, swap);
    const jpeg = await sharp(stored.data, { raw: { width: stored.width, height: stored.height, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).toBe(orientation);

    const reference = await normalizeImage(await sharp(upright.data, { raw: { width: 120, height: 80, channels: 3 } }).png().toBuffer(), OPTIONS);
    const result = await normalizeImage(jpeg, OPTIONS);
    expect([result.source.width, result.source.height]).toEqual([120, 80]);
    const actual = await rgbPixels(result.variants.at(-1)!.body);
    const expected = await rgbPixels(reference.variants.at(-1)!.body);
    // JPEG blocks and 4:2:0 chroma land differently on flipped pixels: a few Delta E, never tens.
    expect(meanDeltaE(actual, expected)).toBeLessThan(6);
    // And it is not merely "some" orientation: the mirror image is far off.
    const mirrored = transform(expected, (x, y, w) => [w - 1 - x, y], false);
    expect(meanDeltaE(actual, mirrored)).toBeGreaterThan(20);
  });

  it.skipIf(!hasCorpus)('turns the real Orientation=6 and =8 photos upright', async () => {
    const six = await normalizeImage(corpusFile('derived_orient6_gps_iphone.jpg'), OPTIONS);
    const sourceUpright = await sharp(corpusFile('real_gps_iphone4s.jpg')).rotate(90).resize(96, 96, { fit: 'cover' }).png().toBuffer();
    expect(six.source).toMatchObject({ width: 135, height: 180 });
    expect(meanDeltaE(await rgbPixels(six.variants.at(-1)!.body), await rgbPixels(sourceUpright))).toBeLessThan(4);
    const eight = await normalizeImage(corpusFile('real_orient8_right.jpg'), OPTIONS);
    expect(eight.source).toMatchObject({ width: 480, height: 640 });
  });
});
