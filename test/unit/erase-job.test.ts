import { describe, expect, it } from 'vitest';
import { isEraseUserJob } from '../../shared/avatar/erase-job';

describe('erase-user jobs', () => {
  it('accepts only {kind: "erase-user", bucket, userId} with non-empty strings', () => {
    expect(isEraseUserJob({ kind: 'erase-user', bucket: 'b', userId: 'u' })).toBe(true);
    for (const bad of [null, {}, { kind: 'erase-user', bucket: 'b' }, { kind: 'erase-user', bucket: '', userId: 'u' }, { kind: 'erase', bucket: 'b', userId: 'u' }, { Records: [] }]) {
      expect(isEraseUserJob(bad)).toBe(false);
    }
  });
});
