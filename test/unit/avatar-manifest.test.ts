import { describe, expect, it } from 'vitest';
import { type AvatarVersion, emptyManifest, parseManifest, pickVariant, referencedKeys, withCurrentVersion, withRejection, withRetention } from '../../shared/avatar/manifest';
import { compareEvents, compareSequencers } from '../../shared/avatar/ordering';

const NOW = '2026-12-03T10:00:00.000Z';

function version(hash: string, sequencer: string, sizes = [48, 96]): AvatarVersion {
  return {
    contentHash: hash,
    sourceKey: `uploads/u/${hash}.jpg`,
    sequencer,
    createdAt: NOW,
    source: { format: 'jpeg', width: 800, height: 600 },
    variants: sizes.map((size) => ({ size, format: 'jpeg', key: `avatars/p/${hash}/${size}.jpg`, width: size, height: size, bytes: 100 })),
  };
}

describe('S3 sequencer ordering', () => {
  it('compares hex sequencers of different lengths after left-padding', () => {
    expect(compareSequencers('0055AE3A1A2E4A0D5F', '55AE3A1A2E4A0D60')).toBeLessThan(0);
    expect(compareSequencers('FF', '0100')).toBeLessThan(0); // a plain string compare says the opposite
    expect(compareSequencers('00ab', 'AB')).toBe(0);
    expect(compareSequencers('61A8B2C0D1', '61A8B2C0D0')).toBeGreaterThan(0);
  });

  it('orders events of one key by sequencer, even when the clock disagrees', () => {
    const key = 'uploads/u/me.jpg';
    expect(compareEvents({ sequencer: '0A', eventTime: '2026-01-01T00:00:00Z', key }, { sequencer: '09', eventTime: '2026-01-01T00:00:05Z', key })).toBe(1);
  });

  it('orders events of different keys by time (sequencers only order one key), the sequencer breaking ties', () => {
    const a = { sequencer: '0F', eventTime: '2026-01-01T00:00:00.100Z', key: 'uploads/u/a.jpg' };
    const b = { sequencer: '01', eventTime: '2026-01-01T00:00:00.200Z', key: 'uploads/u/b.jpg' };
    expect(compareEvents(b, a)).toBe(1);
    expect(compareEvents({ ...b, eventTime: a.eventTime }, a)).toBeLessThan(0);
  });

  it('falls back to the event time when a sequencer is missing', () => {
    expect(compareEvents({ sequencer: '', eventTime: '2026-01-01T00:00:01Z' }, { sequencer: 'AA', eventTime: '2026-01-01T00:00:00Z' })).toBe(1);
    expect(compareEvents({ sequencer: '' }, { sequencer: '' })).toBe(0);
  });
});

describe('manifest versions', () => {
  it('the old current version moves to previous, newest first, without duplicates', () => {
    let manifest = emptyManifest('u', 'p', NOW);
    manifest = withCurrentVersion(manifest, version('a', '01'), NOW);
    manifest = withCurrentVersion(manifest, version('b', '02'), NOW);
    manifest = withCurrentVersion(manifest, version('c', '03'), NOW);
    expect(manifest.current?.contentHash).toBe('c');
    expect(manifest.previous.map((v) => v.contentHash)).toEqual(['b', 'a']);
    manifest = withCurrentVersion(manifest, version('a', '04'), NOW);
    expect(manifest.previous.map((v) => v.contentHash)).toEqual(['c', 'b']);
  });

  it('a success clears an older rejection but keeps a newer one', () => {
    const rejected = withRejection(emptyManifest('u', 'p', NOW), { code: 'E_TOO_SMALL', message: 'm', sourceKey: 'k', at: NOW, sequencer: '05' }, NOW);
    expect(withCurrentVersion(rejected, version('a', '06'), NOW).lastRejection).toBeNull();
    expect(withCurrentVersion(rejected, version('a', '04'), NOW).lastRejection?.code).toBe('E_TOO_SMALL');
  });

  it('retention keeps the newest N previous versions and reports only keys nobody uses any more', () => {
    let manifest = emptyManifest('u', 'p', NOW);
    for (const [hash, seq] of [['a', '01'], ['b', '02'], ['c', '03'], ['d', '04']] as const) manifest = withCurrentVersion(manifest, version(hash, seq), NOW);
    expect(withRetention(manifest, { mode: 'all' })).toEqual({ manifest, unreferenced: [] });
    const trimmed = withRetention(manifest, { mode: 'newest', count: 1 });
    expect(trimmed.manifest.previous.map((v) => v.contentHash)).toEqual(['c']);
    expect(trimmed.unreferenced.sort()).toEqual(['avatars/p/a/48.jpg', 'avatars/p/a/96.jpg', 'avatars/p/b/48.jpg', 'avatars/p/b/96.jpg']);
    const none = withRetention(manifest, { mode: 'newest', count: 0 });
    expect(none.manifest.previous).toEqual([]);
    expect([...referencedKeys(none.manifest)]).toEqual(['avatars/p/d/48.jpg', 'avatars/p/d/96.jpg']);
  });

  it('round-trips through JSON and keeps the fields the send function reads', () => {
    const manifest = withCurrentVersion(emptyManifest('u', 'p', NOW), { ...version('a', '01', [48, 96, 192]), skippedSizes: [512] }, NOW);
    const parsed = parseManifest(JSON.stringify(manifest));
    expect(parsed).toEqual(manifest);
    expect(pickVariant(parsed.current!, 512)?.size).toBe(192);
    expect(pickVariant(parsed.current!, 60)?.size).toBe(96);
  });
});
