import { describe, expect, it } from 'vitest';
import { invalidationPathFor } from '../../shared/avatar/invalidate';
import { avatarPrefixFor, contentTypeFor, extensionFor, manifestKey, parseUploadKey, publicIdFor, variantKey, type VariantFormat } from '../../shared/keys';

const HMAC = { mode: 'hmac', secret: 'keys-test-secret-0123456789' } as const;

describe('key layout', () => {
  it('variant keys nest under the public id and the content hash, one file per size and format', () => {
    const publicId = publicIdFor('user-7', HMAC);
    const key = variantKey(publicId, 'a1b2c3d4e5f6a7b8c9d0', 192, 'png');
    expect(key).toBe(`avatars/${publicId}/a1b2c3d4e5f6a7b8c9d0/192.png`);
    expect(key.startsWith(avatarPrefixFor(publicId))).toBe(true);
    expect(parseUploadKey(key)).toBeUndefined(); // our own outputs never look like uploads
    expect(parseUploadKey(manifestKey(publicId))).toBeUndefined();
  });

  it.each<[VariantFormat, string, string]>([
    ['jpeg', 'jpg', 'image/jpeg'],
    ['png', 'png', 'image/png'],
  ])('%s: extension and Content-Type agree', (format, extension, contentType) => {
    expect(extensionFor(format)).toBe(extension);
    expect(contentTypeFor(format)).toBe(contentType);
    expect(variantKey('p', 'h', 48, format).endsWith(`.${extension}`)).toBe(true);
  });

  it('hmac public ids are not enumerable: neighbouring user ids share no visible structure', () => {
    const ids = ['1', '2', '3', '10', '11'].map((u) => publicIdFor(u, HMAC));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    // No shared prefix longer than chance between consecutive users.
    const sharedPrefix = (a: string, b: string): number => [...a].findIndex((c, i) => c !== b[i]);
    expect(Math.max(...ids.slice(1).map((id, i) => sharedPrefix(id, ids[i]!)))).toBeLessThan(6);
  });

  it('a user prefix cannot be a prefix of another user (invalidation and erasure stay per user)', () => {
    const a = avatarPrefixFor(publicIdFor('u1', { mode: 'plain' }));
    const b = avatarPrefixFor(publicIdFor('u10', { mode: 'plain' }));
    expect(b.startsWith(a)).toBe(false);
    expect(invalidationPathFor('u1')).toBe('/avatars/u1/*');
  });

  it('plain mode encodes ids that could escape the prefix', () => {
    expect(publicIdFor('../x', { mode: 'plain' })).toBe('u-..%2Fx');
    expect(publicIdFor('..', { mode: 'plain' })).toBe('u-..');
    expect(avatarPrefixFor(publicIdFor('a/b', { mode: 'plain' }))).toBe('avatars/u-a%2Fb/');
  });
});
