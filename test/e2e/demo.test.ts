/** `npm run demo -- --json` is the README's main command: keep it working, and check what it claims. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../dev/run-process';
import { PROJECT_ROOT } from '../../dev/sls-invoke';

async function runDemo(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = await runProcess(process.execPath, [join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'dev/demo.ts', ...args], {
    cwd: PROJECT_ROOT,
    timeoutMs: 110_000,
    label: `npm run demo -- ${args.join(' ')}`,
  });
  return { code: run.code ?? 1, stdout: run.stdout, stderr: run.stderr };
}

describe('npm run demo', () => {
  it('runs the whole pipeline and prints a JSON summary whose URL serves the 96 px variant', async () => {
    const run = await runDemo(['--json', '--user', 'demo user+1']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(summary).toMatchObject({ ok: true, bucket: 'evergreen-avatars-local', userId: 'demo user+1', avatarSize: 96 });
    expect(summary.keys).toEqual(expect.arrayContaining([expect.stringMatching(/^avatars\/[0-9a-f]{32}\/[0-9a-f]{20}\/96\.jpg$/), expect.stringMatching(/^manifests\//)]));
    expect(String(summary.permanentUrl)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/avatars\/.+\/96\.jpg$/);
    expect(String(summary.messageId)).not.toBe('');
    const html = await readFile(join(PROJECT_ROOT, String(summary.emailPath)), 'utf8');
    expect(html).toContain(String(summary.permanentUrl));
    expect(html).not.toMatch(/X-Amz-/i);
    const eml = await readFile(join(PROJECT_ROOT, String(summary.emlPath)), 'utf8');
    expect(eml).toMatch(/^Subject: You have a new comment/m);
  });

  it('fails with a non-zero exit naming the step when the photo is not an image', async () => {
    const run = await runDemo(['--photo', join(PROJECT_ROOT, 'README.md')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/FAILED at step "normalizeAvatar": .*E_FORMAT/s);
    const json = await runDemo(['--photo', join(PROJECT_ROOT, 'README.md'), '--json']);
    expect(JSON.parse(json.stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({ ok: false, step: 'normalizeAvatar', code: 'E_FORMAT_TEXT' });
  });
  // In this file, not its own: demo runs share out/demo and must not run in parallel.
  it('--job examples/job-presigned.json: pre-signed photo URLs (local SigV4, AWS SigV4, SigV2) all become the permanent URL', async () => {
    const example = await readFile(join(PROJECT_ROOT, 'examples/job-presigned.json'), 'utf8');
    expect(example).toMatch(/\$PRESIGNED_LOCAL_URL.*\$PRESIGNED_AWS_URL.*\$PRESIGNED_SIGV2_URL/s);
    const run = await runDemo(['--json', '--job', 'examples/job-presigned.json', '--user', 'presigned-demo']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    const permanent = String(summary.permanentUrl);
    expect(permanent).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/avatars\/[0-9a-f]{32}\/[0-9a-f]{20}\/96\.jpg$/);
    const html = await readFile(join(PROJECT_ROOT, String(summary.emailPath)), 'utf8');
    expect(html.split(permanent).length - 1).toBe(5);
    expect(html).not.toMatch(/X-Amz-|AWSAccessKeyId|Signature=|\$PRESIGNED/);
    expect(html).toContain('<b>Demo &lt;User&gt; &amp; Co</b>');
    const eml = await readFile(join(PROJECT_ROOT, String(summary.emlPath)), 'utf8');
    expect(eml).not.toMatch(/X-Amz-|AWSAccessKeyId/);
  });
});
