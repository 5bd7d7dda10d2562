/**
 * Runs a function through the real `sls invoke local` (osls + serverless-esbuild), on the same
 * Node binary as the caller. Always time-boxed: a load error makes the CLI hang instead of exiting.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { runProcess } from './run-process';

export const PROJECT_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

export interface InvokeOptions {
  functionName: string;
  event: unknown;
  /** Where the event JSON is written (it is kept, so a user can re-run the same invoke by hand). */
  eventPath: string;
  env: Record<string, string>;
  params?: Record<string, string>;
  stage?: string;
  timeoutMs?: number;
}

export interface InvokeResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The handler's return value (or error object) that `sls invoke local` prints last. */
  result: unknown;
  /** JSON log lines the handler wrote. */
  logs: Record<string, unknown>[];
  ms: number;
  command: string;
}

function slsEntry(): string {
  const require = createRequire(join(PROJECT_ROOT, 'package.json'));
  return require.resolve('osls/bin/serverless.js');
}

/** The CLI prints log lines first, then the result pretty-printed: the last top-level `{` starts it. */
export function parseInvokeOutput(stdout: string): { result: unknown; logs: Record<string, unknown>[] } {
  const logs: Record<string, unknown>[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{"')) continue;
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  }
  const lines = stdout.split('\n');
  for (let start = lines.length - 1; start >= 0; start -= 1) {
    if (lines[start] !== '{') continue;
    try {
      return { result: JSON.parse(lines.slice(start).join('\n')), logs };
    } catch {
      // keep looking further up
    }
  }
  return { result: undefined, logs };
}

export async function invokeLocal(options: InvokeOptions): Promise<InvokeResult> {
  await mkdir(dirname(options.eventPath), { recursive: true });
  await writeFile(options.eventPath, `${JSON.stringify(options.event, null, 2)}\n`);
  const args = ['invoke', 'local', '-s', options.stage ?? 'local', '-f', options.functionName, '-p', options.eventPath];
  for (const [name, value] of Object.entries(options.params ?? {})) args.push(`--param=${name}=${value}`);
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 120_000;

  const run = await runProcess(process.execPath, [slsEntry(), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...options.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    timeoutMs,
    label: `sls invoke local -f ${options.functionName}`,
  });
  return {
    exitCode: run.code ?? 1,
    stdout: run.stdout,
    stderr: run.stderr,
    ...parseInvokeOutput(run.stdout),
    ms: Math.round(performance.now() - started),
    command: `npx sls ${args.join(' ')}`,
  };
}
