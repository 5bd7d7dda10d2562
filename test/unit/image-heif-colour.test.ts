/**
 * HEIF colour tags. No Display P3 HEIC can be made here (no HEVC encoder), so the pieces are
 * tested apart: the `colr` reader on an AVIF (same container, written by libvips), and the
 * tag-then-convert step as a round trip through libvips' own sRGB -> Display P3 conversion.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { NCLX_PRIMARIES_DISPLAY_P3, profileFor, readHeifColour, taggedPng } from '../../shared/image/heif-colour';
import { DEFAULT_NORMALIZE_OPTIONS, normalizeImage } from '../../shared/image/normalize';
import { corpusFile, hasCorpus } from '../helpers/corpus';
import { meanChroma, meanDeltaE, type Raw } from '../helpers/pixels';

/** 64x64 of moderately saturated colours, all inside sRGB (so the round trip can be exact). */
async function swatches(): Promise<Raw> {
  const colours = [[200, 80, 60], [60, 160, 90], [70, 90, 200], [210, 190, 60]];
  const data = Buffer.alloc(64 * 64 * 3);
  for (let i = 0; i < 64 * 64; i += 1) data.set(colours[Math.floor((i % 64) / 16)]!, i * 3);
  return { data, width: 64, height: 64, channels: 3 };
}

const rgb = async (image: Buffer): Promise<Raw> => {
  const { data, info } = await sharp(image).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
};

describe('HEIF colour tags', () => {
  it('reads an ICC profile from a colr box (AVIF written by libvips with Display P3)', async () => {
    const avif = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } }).withIccProfile('p3').avif().toBuffer();
    const colour = readHeifColour(avif);
    expect(colour.kind).toBe('icc');
    if (colour.kind === 'icc') expect(colour.profile.subarray(36, 40).toString('latin1')).toBe('acsp'); // ICC signature
  });

  it('reads nclx primaries and maps Display P3 to a profile; sRGB primaries need none', async () => {
    const nclx = (primaries: number): Buffer => {
      const ftyp = Buffer.from([0, 0, 0, 16, ...Buffer.from('ftypheic'), 0, 0, 0, 0]);
      const colr = Buffer.from([0, 0, 0, 19, ...Buffer.from('colrnclx'), 0, primaries, 0, 13, 0, 6, 0x80]);
      const meta = Buffer.concat([Buffer.from([0, 0, 0, 12 + colr.length, ...Buffer.from('meta'), 0, 0, 0, 0]), colr]);
      return Buffer.concat([ftyp, meta]);
    };
    expect(readHeifColour(nclx(NCLX_PRIMARIES_DISPLAY_P3))).toEqual({ kind: 'nclx', primaries: 12 });
    expect(await profileFor({ kind: 'nclx', primaries: 1 })).toBeUndefined();
    expect((await profileFor({ kind: 'nclx', primaries: 12 }))?.length).toBeGreaterThan(100);
    expect(readHeifColour(Buffer.from('no colour here at all'))).toEqual({ kind: 'none' });
    // A colr outside the meta box describes nothing.
    expect(readHeifColour(Buffer.concat([nclx(12).subarray(0, 16), Buffer.from([0, 0, 0, 19, ...Buffer.from('colrnclx'), 0, 12, 0, 13, 0, 6, 0x80])]))).toEqual({ kind: 'none' });
  });

  it('Display P3 numbers, tagged and converted, come back to the sRGB colours they encode', async () => {
    const original = await swatches();
    const srgbPng = await sharp(original.data, { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer();
    // libvips converts the sRGB swatches into Display P3 numbers: what an iPhone would store.
    const p3Numbers = await sharp(srgbPng).withIccProfile('p3').raw().toBuffer({ resolveWithObject: true });
    const asDecoded = { data: p3Numbers.data, width: 64, height: 64, channels: 3 as const };
    const profile = await profileFor({ kind: 'nclx', primaries: NCLX_PRIMARIES_DISPLAY_P3 });

    const converted = await rgb(await taggedPng(asDecoded, profile!));
    const readAsSrgb: Raw = { ...asDecoded };
    expect(meanDeltaE(converted, original)).toBeLessThan(2);
    expect(meanDeltaE(readAsSrgb, original)).toBeGreaterThan(4); // what ignoring the tag would publish
    expect(meanChroma(readAsSrgb)).toBeLessThan(meanChroma(converted)); // ... and it looks dull
  });

  it.skipIf(!hasCorpus)('the untagged corpus HEIC still decodes as sRGB', async () => {
    expect(readHeifColour(corpusFile('derived_heic_from_nokia.heic'))).toEqual({ kind: 'none' });
    const result = await normalizeImage(corpusFile('derived_heic_from_nokia.heic'), { ...DEFAULT_NORMALIZE_OPTIONS, sizes: [48] });
    expect(result.source).toEqual({ format: 'heic', width: 1278, height: 720 });
  });
});
