/**
 * `npx evergreen-avatars normalize` as a user runs it: the .mjs launcher in a child process
 * (async spawn, Node 22 from node_modules/.bin), JSON on stdout, exit codes 0 / 2 / 1.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusPath, hasCorpus } from '../helpers/corpus';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = join(ROOT, 'node_modules/.bin/node');
const LAUNCHER = join(ROOT, 'bin/evergreen-avatars.mjs');
const FIXTURES = join(ROOT, 'test/fixtures');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const cli = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve) => {
    execFile(NODE, [LAUNCHER, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });

describe('evergreen-avatars normalize', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('accepted: exit 0, one JSON object in the documented shape, files written under --out', async () => {
    const out = await mkdtemp(join(tmpdir(), 'evergreen-cli-'));
    dirs.push(out);
    const run = await cli(['normalize', join(FIXTURES, 'real_palette_trns_debian_logo.png'), '--out', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown> & { variants: Array<Record<string, unknown>> };
    // The contract plus one extension (skippedSizes).
    expect(Object.keys(result).sort()).toEqual(['code', 'message', 'skippedSizes', 'source', 'status', 'variants']);
    expect(result).toMatchObject({ status: 'accepted', code: null, message: null, source: { format: 'png', width: 256, height: 256 } });
    expect(result.variants.map((v) => `${v.size}.${v.format}`)).toEqual(['48.jpeg', '48.png', '96.jpeg', '96.png', '192.jpeg', '192.png', '512.jpeg', '512.png']);
    for (const variant of result.variants) {
      expect(Object.keys(variant).sort()).toEqual(['bytes', 'format', 'height', 'path', 'size', 'width']);
      const extension = variant.format === 'png' ? 'png' : 'jpg';
      expect(variant.path).toBe(join(out, `${String(variant.size)}.${extension}`));
      const written = await readFile(String(variant.path));
      expect(written.length).toBe(variant.bytes);
      const meta = await sharp(written).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual([variant.format, variant.width, variant.height]);
    }
  });

  it('honours the same environment variables as the Lambda', async () => {
    const run = await cli(['normalize', join(FIXTURES, 'real_wizard_progressive.jpg'), '--json'], { AVATAR_SIZES: '64,128' });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { variants: Array<{ size: number; path: string | null }> };
    expect(result.variants.map((v) => [v.size, v.path])).toEqual([[64, null], [128, null]]);
  });

  it('names the sizes it did not publish because they would upscale too far', async () => {
    const run = await cli(['normalize', join(FIXTURES, 'derived_orient6_gps_iphone.jpg'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { variants: Array<{ size: number }>; skippedSizes: number[] };
    // 180x135 source, MAX_UPSCALE 2: up to 270 px.
    expect(result.variants.map((v) => v.size)).toEqual([48, 96, 192]);
    expect(result.skippedSizes).toEqual([512]);
    const human = await cli(['normalize', join(FIXTURES, 'derived_orient6_gps_iphone.jpg')]);
    expect(human.stdout).toContain('not published (would upscale beyond MAX_UPSCALE): 512');
  });

  it.skipIf(!hasCorpus)('rejected: exit 2 with the code, the message and what the header said', async () => {
    const run = await cli(['normalize', corpusPath('derived_bomb_30000x30000.png'), '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      status: 'rejected',
      code: 'E_TOO_MANY_PIXELS',
      message: expect.stringContaining('30000x30000') as unknown,
      source: { format: 'png', width: 30000, height: 30000 },
      variants: [],
      skippedSizes: [],
    });
    const human = await cli(['normalize', corpusPath('real_svg_debian_logo.svg')]);
    expect(human.code).toBe(2);
    expect(human.stdout).toContain('rejected E_FORMAT_UNSUPPORTED');
  });

  it('internal errors and bad usage: exit 1 with a message on stderr', async () => {
    const missing = await cli(['normalize', join(FIXTURES, 'does-not-exist.jpg'), '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');
    expect(missing.stdout).toBe('');
    const usage = await cli(['frobnicate']);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('Usage:');
  });
});
