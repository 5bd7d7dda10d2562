import { describe, expect, it } from 'vitest';
import { loadSendConfig } from '../../shared/config';
import { ConfigError } from '../../shared/env-reader';

const BASE = { AVATAR_BUCKET: 'b', PUBLIC_ID_MODE: 'plain' };

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadSendConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('delivery config (loadSendConfig)', () => {
  it('defaults to public delivery with the configured base URL', () => {
    expect(loadSendConfig({ ...BASE, AVATAR_BASE_URL: 'http://127.0.0.1:4580' }).delivery).toEqual({ mode: 'public', baseUrl: 'http://127.0.0.1:4580/' });
  });

  it('reads cloudfront-signed with its key id, SSM parameter and expiry', () => {
    const config = loadSendConfig({
      ...BASE,
      AVATAR_BASE_URL: 'https://d1.cloudfront.net/',
      DELIVERY_MODE: 'cloudfront-signed',
      CLOUDFRONT_KEY_PAIR_ID: 'K2JCJMDEHXQW5F',
      CLOUDFRONT_PRIVATE_KEY_PARAMETER: '/evergreen-avatars/prod/cloudfront-private-key',
      SIGNED_URL_EXPIRY_YEARS: '25',
    });
    expect(config.delivery).toEqual({
      mode: 'cloudfront-signed',
      baseUrl: 'https://d1.cloudfront.net/',
      keyPairId: 'K2JCJMDEHXQW5F',
      privateKeyParameter: '/evergreen-avatars/prod/cloudfront-private-key',
      expiryYears: 25,
    });
  });

  it('lists every bad delivery variable in one error', () => {
    const found = problems({ ...BASE, AVATAR_BASE_URL: 'http://cdn.example.com/', DELIVERY_MODE: 'cloudfront-signed', CLOUDFRONT_PRIVATE_KEY_PARAMETER: 'no-slash', SIGNED_URL_EXPIRY_YEARS: '500' });
    expect(found).toHaveLength(4);
    expect(found.join('\n')).toMatch(/AVATAR_BASE_URL=.*HTTPS only/);
    expect(found.join('\n')).toMatch(/CLOUDFRONT_KEY_PAIR_ID is required/);
    expect(found.join('\n')).toMatch(/CLOUDFRONT_PRIVATE_KEY_PARAMETER=.*starting with \//);
    expect(found.join('\n')).toMatch(/SIGNED_URL_EXPIRY_YEARS="500".*1 to 100/);
  });

  it('rejects an unknown mode, naming the allowed ones', () => {
    expect(problems({ ...BASE, AVATAR_BASE_URL: 'https://a.example/', DELIVERY_MODE: 'presigned' })).toEqual([
      'DELIVERY_MODE="presigned" is invalid: expected one of public, cloudfront, cloudfront-signed',
    ]);
  });
});
