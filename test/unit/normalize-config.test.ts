import { describe, expect, it } from 'vitest';
import { loadImageOptions, loadNormalizeConfig } from '../../shared/config';
import { ConfigError } from '../../shared/env-reader';
import { DEFAULT_NORMALIZE_OPTIONS } from '../../shared/image/options';

const SECRET = { PUBLIC_ID_SECRET: 'config-test-secret-0123456789' };

describe('normalize configuration', () => {
  it('defaults: 48/96/192/512, quality 82, 20 MiB, 40 Mpx, centre crop, 2x upscale, keep every version, no CloudFront', () => {
    const config = loadNormalizeConfig(SECRET);
    expect(config.image).toEqual(DEFAULT_NORMALIZE_OPTIONS);
    expect(config.image).toMatchObject({ sizes: [48, 96, 192, 512], jpegQuality: 82, maxInputBytes: 20 * 1024 * 1024, maxInputPixels: 40_000_000, cropPosition: 'centre', maxUpscale: 2 });
    expect(config.retention).toEqual({ mode: 'all' });
    expect(config.cloudFrontDistributionId).toBeUndefined();
  });

  it('reads every variable', () => {
    const config = loadNormalizeConfig({
      ...SECRET,
      AVATAR_SIZES: '256, 64',
      JPEG_QUALITY: '75',
      MAX_INPUT_BYTES: '1000000',
      MAX_INPUT_PIXELS: '1000000',
      MIN_INPUT_SIDE: '32',
      FLATTEN_BACKGROUND: '#000',
      CROP_POSITION: 'attention',
      MAX_UPSCALE: '1.5',
      RETAIN_VERSIONS: '3',
      CLOUDFRONT_DISTRIBUTION_ID: 'E123ABC',
    });
    expect(config.image).toEqual({ sizes: [64, 256], jpegQuality: 75, maxInputBytes: 1_000_000, maxInputPixels: 1_000_000, minSide: 32, background: '#000', cropPosition: 'attention', maxUpscale: 1.5 });
    expect(config.retention).toEqual({ mode: 'newest', count: 3 });
    expect(config.cloudFrontDistributionId).toBe('E123ABC');
  });

  it('one error names every bad variable, its value and what is allowed', () => {
    let error: unknown;
    try {
      loadNormalizeConfig({ ...SECRET, CROP_POSITION: 'middle', MAX_UPSCALE: '0', FLATTEN_BACKGROUND: 'red', RETAIN_VERSIONS: '-1', MAX_INPUT_PIXELS: '999999999' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('CROP_POSITION="middle" is invalid: expected one of centre, attention');
    expect(problems).toContain('MAX_UPSCALE="0"');
    expect(problems).toContain('FLATTEN_BACKGROUND="red" is invalid: expected a hex colour');
    expect(problems).toContain('RETAIN_VERSIONS="-1" is invalid: expected all or an integer from 0 to 1000');
    expect(problems).toContain('MAX_INPUT_PIXELS="999999999"');
    expect((error as ConfigError).problems).toHaveLength(5);
  });

  it('the CLI reads the image options without needing the public id secret', () => {
    expect(loadImageOptions({ AVATAR_SIZES: '96' }).sizes).toEqual([96]);
    expect(() => loadNormalizeConfig({})).toThrow('PUBLIC_ID_SECRET is required');
  });
});
