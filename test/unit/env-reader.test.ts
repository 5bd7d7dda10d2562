import { describe, expect, it } from 'vitest';
import { loadNormalizeConfig, loadSendConfig } from '../../shared/config';
import { ConfigError } from '../../shared/env-reader';

describe('configuration', () => {
  it('applies defaults', () => {
    const config = loadNormalizeConfig({ PUBLIC_ID_SECRET: '0123456789abcdef' });
    expect(config.image.sizes).toEqual([48, 96, 192, 512]);
    expect(config.image.jpegQuality).toBe(82);
    expect(config.publicId).toEqual({ mode: 'hmac', secret: '0123456789abcdef' });
  });

  it('lists every bad variable in one error, with its value and what is allowed', () => {
    let error: unknown;
    try {
      loadSendConfig({ AVATAR_BASE_URL: 'ftp://x', PUBLIC_ID_MODE: 'sha1', DEFAULT_AVATAR_SIZE: 'big' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/AVATAR_BUCKET is required/);
    expect(problems.join('\n')).toMatch(/AVATAR_BASE_URL="ftp:\/\/x" is invalid/);
    expect(problems.join('\n')).toMatch(/PUBLIC_ID_MODE="sha1" is invalid: expected one of hmac, plain/);
    expect(problems.join('\n')).toMatch(/DEFAULT_AVATAR_SIZE="big" is invalid: expected an integer from 16 to 2048/);
  });

  it('normalises the base URL to end with one slash and sorts sizes', () => {
    const send = loadSendConfig({ AVATAR_BUCKET: 'b', AVATAR_BASE_URL: 'https://cdn.example.com/img', PUBLIC_ID_MODE: 'plain' });
    expect(send.avatarBaseUrl).toBe('https://cdn.example.com/img/');
    expect(loadNormalizeConfig({ PUBLIC_ID_MODE: 'plain', AVATAR_SIZES: '512, 48,96' }).image.sizes).toEqual([48, 96, 512]);
  });

  it('requires a long enough HMAC secret', () => {
    expect(() => loadNormalizeConfig({ PUBLIC_ID_SECRET: 'short' })).toThrow(/at least 16 characters/);
  });
});
