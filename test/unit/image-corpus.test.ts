/**
 * Every corpus file ends as test/corpus-expectations.json says: accepted with the right variants
 * (format, size, bytes and metadata checked with independent readers), or rejected with its code.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NORMALIZE_OPTIONS, type NormalizedImage, normalizeImage } from '../../shared/image/normalize';
import { isPipelineError } from '../../shared/errors';
import { CORPUS_EXPECTATIONS, corpusFile, corpusFiles, hasCorpus } from '../helpers/corpus';
import { exifrMetadata, metadataContainers } from '../helpers/metadata';

type Outcome = { kind: 'accepted'; image: NormalizedImage } | { kind: 'rejected'; code: string; message: string };

async function run(name: string): Promise<Outcome> {
  try {
    return { kind: 'accepted', image: await normalizeImage(corpusFile(name), DEFAULT_NORMALIZE_OPTIONS) };
  } catch (error) {
    if (isPipelineError(error) && error.kind === 'permanent') return { kind: 'rejected', code: error.code, message: error.message };
    throw error;
  }
}

describe.skipIf(!hasCorpus)('the corpus table', () => {
  const outcomes = new Map<string, Outcome>();
  beforeAll(async () => {
    for (const name of corpusFiles()) outcomes.set(name, await run(name));
  }, 120_000);

  it('lists every corpus file, and only those', () => {
    expect(Object.keys(CORPUS_EXPECTATIONS.files).sort()).toEqual(corpusFiles());
  });

  it.each(Object.entries(CORPUS_EXPECTATIONS.files))('%s ends as the table says', async (name, expected) => {
    const outcome = outcomes.get(name);
    if (outcome === undefined) throw new Error(`${name} was not processed`);
    if (expected.outcome === 'rejected') {
      expect(outcome).toMatchObject({ kind: 'rejected', code: expected.code });
      if (outcome.kind === 'rejected') expect(outcome.message.length).toBeGreaterThan(10);
      return;
    }
    if (outcome.kind !== 'accepted') throw new Error(`${name} was rejected: ${outcome.code} ${outcome.message}`);
    const { image } = outcome;
    expect(image.source).toEqual({ format: expected.format, width: expected.width, height: expected.height });
    expect(image.transparent).toBe(expected.png);
    const formats = expected.png ? ['jpeg', 'png'] : ['jpeg'];
    expect(image.variants.map((v) => `${v.size}.${v.format}`)).toEqual(expected.sizes.flatMap((s) => formats.map((f) => `${s}.${f}`)));

    for (const variant of image.variants) {
      // The bytes say what the variant claims: format, square size, 8-bit sRGB.
      const meta = await sharp(variant.body).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual([variant.format, variant.size, variant.size]);
      expect([variant.width, variant.height]).toEqual([variant.size, variant.size]);
      expect(meta.space).toBe('srgb');
      if (variant.format === 'jpeg') {
        expect(meta.isProgressive).toBe(true);
        expect(meta.channels).toBe(3);
      } else {
        expect(meta.hasAlpha).toBe(true);
      }
      // Nothing of the source's EXIF, GPS, XMP, IPTC, ICC or comments survives.
      expect(await exifrMetadata(variant.body)).toBeUndefined();
      expect(metadataContainers(variant.body)).toEqual([]);
      expect(meta.exif ?? meta.icc ?? meta.xmp ?? meta.iptc).toBeUndefined();
    }
  });
});
