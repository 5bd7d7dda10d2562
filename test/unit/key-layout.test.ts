import { describe, expect, it } from 'vitest';
import { avatarPrefixFor, isPublicAvatarKey, manifestKey, parseUploadKey, publicIdFor, variantKey } from '../../shared/keys';
import { DEFAULT_AVATAR_KEY } from '../../shared/mail/default-avatar-key';

describe('upload keys', () => {
  it('takes the user id from uploads/<userId>/<file>', () => {
    expect(parseUploadKey('uploads/u+1/my photo.jpg')).toEqual({ userId: 'u+1', fileName: 'my photo.jpg' });
    expect(parseUploadKey('uploads/42/2026/12/me.heic')).toEqual({ userId: '42', fileName: '2026/12/me.heic' });
  });

  it.each(['avatars/u/1.jpg', 'manifests/u.json', 'uploads/', 'uploads/u', 'uploads//x.jpg', 'uploads/u/', 'uploads/u/dir/', 'other/uploads/u/x.jpg'])(
    'is not an upload: %s',
    (key) => {
      expect(parseUploadKey(key)).toBeUndefined();
    },
  );
});

describe('public ids and variant names', () => {
  const hmac = { mode: 'hmac', secret: 'a-secret-of-at-least-16-chars' } as const;

  it('hmac ids are stable, 32 hex chars, and differ per user and per secret', () => {
    const a = publicIdFor('user-1', hmac);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(publicIdFor('user-1', hmac)).toBe(a);
    expect(publicIdFor('user-2', hmac)).not.toBe(a);
    expect(publicIdFor('user-1', { mode: 'hmac', secret: 'another-secret-of-16-chars' })).not.toBe(a);
    expect(a).not.toContain('user');
  });

  it('plain ids keep the user id, URL-safe, and can never be the default avatar\'s folder', () => {
    expect(publicIdFor('u+1/x', { mode: 'plain' })).toBe('u-u%2B1%2Fx');
    expect(DEFAULT_AVATAR_KEY.startsWith(avatarPrefixFor(publicIdFor('default', { mode: 'plain' })))).toBe(false);
  });

  it('names variants avatars/<publicId>/<hash>/<size>.<ext> and manifests outside avatars/', () => {
    expect(variantKey('pid', 'abc123', 96, 'jpeg')).toBe('avatars/pid/abc123/96.jpg');
    expect(variantKey('pid', 'abc123', 512, 'png')).toBe('avatars/pid/abc123/512.png');
    expect(manifestKey('pid')).toBe('manifests/pid.json');
    expect(manifestKey('pid').startsWith('avatars/')).toBe(false);
  });
});

describe('public avatar keys', () => {
  it('are under avatars/ with no empty, . or .. segment', () => {
    expect(isPublicAvatarKey('avatars/default/v1/256.png')).toBe(true);
    for (const key of ['avatars/../manifests/x.json', 'avatars/./x.png', 'avatars//x.png', 'manifests/x.json', 'avatars/x/']) {
      expect(isPublicAvatarKey(key)).toBe(false);
    }
  });
});
