/**
 * Colour management: outputs are sRGB converted from the source's profile. CMYK must neither
 * invert nor wash out; an Adobe RGB photo must not look dull (profile converted, not dropped).
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NORMALIZE_OPTIONS, normalizeImage } from '../../shared/image/normalize';
import { corpusFile, hasCorpus } from '../helpers/corpus';
import { inverted, meanChroma, meanDeltaE, rgbPixels } from '../helpers/pixels';

const OPTIONS = { ...DEFAULT_NORMALIZE_OPTIONS, sizes: [192] };

describe.skipIf(!hasCorpus)('colour conversion to sRGB', () => {
  it('a CMYK JPEG without profile stays close to the sRGB photo it was made from', async () => {
    const cmyk = await normalizeImage(corpusFile('derived_cmyk_from_rocket.jpg'), OPTIONS);
    const rgb = await normalizeImage(corpusFile('real_adobergb_rocket.jpg'), OPTIONS);
    const fromCmyk = await rgbPixels(cmyk.variants[0]!.body);
    const fromRgb = await rgbPixels(rgb.variants[0]!.body);
    expect((await sharp(cmyk.variants[0]!.body).metadata()).space).toBe('srgb');
    // Same picture, colour differences of a print conversion: small. Inverted would be ~100.
    expect(meanDeltaE(fromCmyk, fromRgb)).toBeLessThan(12);
    expect(meanDeltaE(inverted(fromCmyk), fromRgb)).toBeGreaterThan(40);
    // Not washed out: keeps most of the colourfulness of the RGB original.
    expect(meanChroma(fromCmyk)).toBeGreaterThan(0.6 * meanChroma(fromRgb));
  });

  it('an Adobe RGB photo is converted, not read as if it were sRGB', async () => {
    const input = corpusFile('real_adobergb_rocket.jpg');
    expect((await sharp(input).metadata()).icc).toBeDefined();
    const ours = await rgbPixels((await normalizeImage(input, OPTIONS)).variants[0]!.body);
    const profileDropped = await rgbPixels(
      await sharp(input, { ignoreIcc: true }).resize(192, 192, { fit: 'cover' }).jpeg({ quality: 95 }).toBuffer(),
    );
    // Adobe RGB numbers shown as sRGB look dull; converted, the same pixels carry more chroma.
    expect(meanChroma(ours)).toBeGreaterThan(meanChroma(profileDropped) * 1.05);
  });

  it.each(['real_colorlcd_icc.png', 'real_gray_dotgain_icc.png', 'real_gray.jpg', 'real_16bit_rgb.png', 'derived_heic_from_nokia.heic'])(
    '%s comes out as 8-bit, 3-channel sRGB JPEG',
    async (name) => {
      const result = await normalizeImage(corpusFile(name), OPTIONS);
      const meta = await sharp(result.variants[0]!.body).metadata();
      expect([meta.format, meta.space, meta.channels, meta.depth]).toEqual(['jpeg', 'srgb', 3, 'uchar']);
    },
  );

  it('the HEIC decodes to the same picture as the JPEG it was encoded from', async () => {
    const heic = await rgbPixels((await normalizeImage(corpusFile('derived_heic_from_nokia.heic'), OPTIONS)).variants[0]!.body);
    const jpeg = await rgbPixels((await normalizeImage(corpusFile('real_gps_nokia_lumia.jpg'), OPTIONS)).variants[0]!.body);
    expect(meanDeltaE(heic, jpeg)).toBeLessThan(5);
  });
});
