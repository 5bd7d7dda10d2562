/**
 * Where the shipped default avatar is published. The object is immutable (cached for a year), so
 * a new picture needs a new key: bump the version, and `test/unit/mail-default-avatar.test.ts`
 * fails until the recorded digest matches the committed asset.
 */
export const DEFAULT_AVATAR_KEY = 'avatars/default/v1/256.png';
export const DEFAULT_AVATAR_SHA256 = '3612db0e1fd412b345680425d1bc3cadb2e5948cd28f0d7c00d319b6bcef5693';
