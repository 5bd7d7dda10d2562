/**
 * Runs a function through the real `sls invoke local` (osls + serverless-esbuild), on the same
 * Node binary as the caller. Always time-boxed: a load error makes the CLI hang instead of exiting.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

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

  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [slsEntry(), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...options.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      // Kill the whole group: esbuild's service process keeps the CLI alive otherwise.
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`sls invoke local -f ${options.functionName} timed out after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const parsed = parseInvokeOutput(stdout);
      resolvePromise({
        exitCode: code ?? 1,
        stdout,
        stderr,
        ...parsed,
        ms: Math.round(performance.now() - started),
        command: `npx sls ${args.join(' ')}`,
      });
    });
  });
}
