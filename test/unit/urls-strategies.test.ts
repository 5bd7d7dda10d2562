import { describe, expect, it } from 'vitest';
import { cloudfrontUrlStrategy } from '../../shared/urls/cloudfront-url';
import { permanentUrl, publicUrlStrategy } from '../../shared/urls/public-url';
import { createAvatarUrlStrategy } from '../../shared/urls/strategy-from-config';
import { throwawayKeyPair, verifySignedUrl } from '../helpers/cloudfront-signature';

const KEY = 'avatars/3f2a9c/ab12cd/96.jpg';

describe('public and cloudfront URL strategies', () => {
  it('public mode returns the base URL plus the key, with no query string', () => {
    const strategy = publicUrlStrategy('https://bucket.s3.us-east-1.amazonaws.com/');
    expect(strategy.mode).toBe('public');
    expect(strategy.urlFor(KEY)).toBe('https://bucket.s3.us-east-1.amazonaws.com/avatars/3f2a9c/ab12cd/96.jpg');
  });

  it('encodes each key segment but keeps the slashes', () => {
    expect(permanentUrl('https://cdn.example.com/', 'avatars/a b+c/h/96.jpg')).toBe('https://cdn.example.com/avatars/a%20b%2Bc/h/96.jpg');
  });

  it('cloudfront mode returns https://<domain>/avatars/... without a signature', () => {
    const url = cloudfrontUrlStrategy('https://d111111abcdef8.cloudfront.net/').urlFor(KEY);
    expect(url).toBe('https://d111111abcdef8.cloudfront.net/avatars/3f2a9c/ab12cd/96.jpg');
    expect(new URL(url).search).toBe('');
  });

  it('builds the strategy named by the delivery config', async () => {
    const base = 'https://avatars.example.com/';
    expect((await createAvatarUrlStrategy({ mode: 'public', baseUrl: base })).mode).toBe('public');
    expect((await createAvatarUrlStrategy({ mode: 'cloudfront', baseUrl: base })).urlFor(KEY)).toBe(`${base}${KEY}`);
    const { privateKey, publicKey } = throwawayKeyPair();
    let loads = 0;
    const signed = await createAvatarUrlStrategy(
      { mode: 'cloudfront-signed', baseUrl: base, keyPairId: 'K2JCJMDEHXQW5F', privateKeyParameter: '/x/key', expiryYears: 5 },
      { loadSigningKey: async () => { loads += 1; return privateKey; } },
    );
    expect(signed.mode).toBe('cloudfront-signed');
    expect(loads).toBe(1);
    expect(verifySignedUrl(signed.urlFor(KEY), publicKey)).toBe(true);
  });

  it('refuses cloudfront-signed without a way to load the private key', async () => {
    await expect(
      createAvatarUrlStrategy({ mode: 'cloudfront-signed', baseUrl: 'https://a.example/', keyPairId: 'K', privateKeyParameter: '/k', expiryYears: 1 }),
    ).rejects.toThrow(/signing key loader/);
  });
});
