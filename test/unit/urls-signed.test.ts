import { describe, expect, it } from 'vitest';
import { cloudfrontSignedUrlStrategy, signedUrlExpiry } from '../../shared/urls/cloudfront-signed-url';
import { throwawayKeyPair, verifySignedUrl } from '../helpers/cloudfront-signature';

const { privateKey, publicKey } = throwawayKeyPair();
const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
const NOW = new Date('2026-12-03T16:45:12Z');
const strategy = cloudfrontSignedUrlStrategy({
  baseUrl: 'https://avatars.example.com/',
  keyPairId: KEY_PAIR_ID,
  privateKey,
  expiryYears: 10,
  now: () => NOW,
});
const KEY = 'avatars/3f2a9c/ab12cd/96.jpg';

describe('CloudFront signed avatar URLs', () => {
  it('signs the avatar URL so that the public key verifies it (node:crypto, RSA-SHA1 canned policy)', () => {
    const url = new URL(strategy.urlFor(KEY));
    expect(`${url.origin}${url.pathname}`).toBe(`https://avatars.example.com/${KEY}`);
    expect(url.searchParams.get('Key-Pair-Id')).toBe(KEY_PAIR_ID);
    expect(verifySignedUrl(url.href, publicKey)).toBe(true);
  });

  it('expires N years after the start of the signing day, so one day of mail shares one URL', () => {
    const expires = Number(new URL(strategy.urlFor(KEY)).searchParams.get('Expires'));
    expect(new Date(expires * 1000).toISOString()).toBe('2036-12-03T00:00:00.000Z');
    const later = cloudfrontSignedUrlStrategy({ baseUrl: 'https://avatars.example.com/', keyPairId: KEY_PAIR_ID, privateKey, expiryYears: 10, now: () => new Date('2026-12-03T23:59:59Z') });
    expect(later.urlFor(KEY)).toBe(strategy.urlFor(KEY));
  });

  it('goes past 2038-01-19 (no 32-bit epoch limit)', () => {
    expect(signedUrlExpiry(new Date('2030-06-01T12:00:00Z'), 20).toISOString()).toBe('2050-06-01T00:00:00.000Z');
  });

  it('is rejected when the path is changed', () => {
    const url = new URL(strategy.urlFor(KEY));
    url.pathname = url.pathname.replace('96.jpg', '512.jpg');
    expect(verifySignedUrl(url.href, publicKey)).toBe(false);
  });

  it('is rejected when the expiry is extended', () => {
    const url = new URL(strategy.urlFor(KEY));
    url.searchParams.set('Expires', String(Number(url.searchParams.get('Expires')) + 1));
    expect(verifySignedUrl(url.href, publicKey)).toBe(false);
  });

  it('is rejected when the signature is altered or the key is another one', () => {
    const url = new URL(strategy.urlFor(KEY));
    const signature = url.searchParams.get('Signature') ?? '';
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    url.searchParams.set('Signature', flipped);
    expect(verifySignedUrl(url.href, publicKey)).toBe(false);
    expect(verifySignedUrl(strategy.urlFor(KEY), throwawayKeyPair().publicKey)).toBe(false);
  });

  it('keeps the URL short enough for mail (well under the 998-character line limit)', () => {
    expect(strategy.urlFor(KEY).length).toBeLessThan(500);
  });
});
