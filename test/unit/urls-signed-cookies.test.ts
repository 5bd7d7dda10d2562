import { describe, expect, it } from 'vitest';
import { avatarSignedCookies } from '../../shared/urls/signed-cookies';
import { cloudfrontBase64Decode, throwawayKeyPair, verifySha1Rsa } from '../helpers/cloudfront-signature';

const { privateKey, publicKey } = throwawayKeyPair();
const NOW = new Date('2026-12-03T12:00:00Z');
const cookies = avatarSignedCookies({
  baseUrl: 'https://avatars.example.com/',
  keyPairId: 'K2JCJMDEHXQW5F',
  privateKey,
  validForSeconds: 3600,
  cookieDomain: 'example.com',
  now: () => NOW,
});

describe('signed cookies for the web app', () => {
  it('grant avatars/* only, until the session ends, verified against the public key', () => {
    const policy = cloudfrontBase64Decode(cookies.values['CloudFront-Policy']).toString('utf8');
    expect(JSON.parse(policy)).toEqual({
      Statement: [{ Resource: 'https://avatars.example.com/avatars/*', Condition: { DateLessThan: { 'AWS:EpochTime': Date.parse('2026-12-03T13:00:00Z') / 1000 } } }],
    });
    expect(cookies.expiresAt.toISOString()).toBe('2026-12-03T13:00:00.000Z');
    expect(verifySha1Rsa(policy, cloudfrontBase64Decode(cookies.values['CloudFront-Signature']), publicKey)).toBe(true);
  });

  it('fail verification when the policy is widened', () => {
    const wider = cloudfrontBase64Decode(cookies.values['CloudFront-Policy']).toString('utf8').replace('/avatars/*', '/*');
    expect(verifySha1Rsa(wider, cloudfrontBase64Decode(cookies.values['CloudFront-Signature']), publicKey)).toBe(false);
  });

  it('are Secure, HttpOnly, scoped to /avatars/ on the shared parent domain', () => {
    expect(cookies.setCookieHeaders).toHaveLength(3);
    for (const header of cookies.setCookieHeaders) {
      expect(header).toMatch(/^CloudFront-(Policy|Signature|Key-Pair-Id)=[^;]+; Path=\/avatars\/; Expires=Thu, 03 Dec 2026 13:00:00 GMT; Domain=example.com; Secure; HttpOnly; SameSite=Lax$/);
    }
  });

  it('refuse a non-positive lifetime', () => {
    expect(() => avatarSignedCookies({ baseUrl: 'https://a.example/', keyPairId: 'K', privateKey, validForSeconds: 0 })).toThrow(/validForSeconds/);
  });
});
