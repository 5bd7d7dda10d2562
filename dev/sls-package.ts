/**
 * Runs the real `sls package` (osls + serverless-esbuild) offline and returns the generated
 * CloudFormation template. Fake credentials, no metadata probing: nothing leaves the machine.
 *
 * serverless-esbuild always stages artifacts in `<service>/.esbuild` and `<service>/.serverless`, so two
 * runs in one directory overwrite each other's zip. Each run therefore gets its own service directory
 * made of a copy of serverless.yml and symlinks to the rest (infra/, sources, node_modules).
 */
import { copyFile, mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { runProcess } from './run-process';
import { PROJECT_ROOT } from './sls-invoke';

export interface PackageOptions {
  /** Short name of the run (used in messages). */
  name: string;
  stage: string;
  params: Record<string, string>;
  /** Absolute directory for the artifacts (`--package`); the run's service directory is `<packageDir>.service`. */
  packageDir: string;
  timeoutMs?: number;
  /** Extra environment for the CLI (e.g. to leave EVERGREEN_PUBLIC_ID_SECRET empty). */
  env?: Record<string, string>;
}

export type CfnTemplate = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[]; Condition?: string }>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
};

export interface PackageResult {
  template: CfnTemplate;
  ms: number;
  command: string;
}

const SERVICE_ENTRIES = ['infra', 'functions', 'shared', 'package.json', 'package-lock.json', 'tsconfig.json', 'node_modules'];

async function linkedServiceDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // osls refuses a symlinked config file: that one is copied.
  await copyFile(join(PROJECT_ROOT, 'serverless.yml'), join(dir, 'serverless.yml'));
  for (const entry of SERVICE_ENTRIES) await symlink(join(PROJECT_ROOT, entry), join(dir, entry));
}

export async function slsPackage(options: PackageOptions): Promise<PackageResult> {
  const serviceDir = `${options.packageDir}.service`;
  await linkedServiceDir(serviceDir);
  const require = createRequire(join(PROJECT_ROOT, 'package.json'));
  const args = ['package', '-s', options.stage, '--package', options.packageDir];
  for (const [name, value] of Object.entries(options.params)) args.push(`--param=${name}=${value}`);
  const timeoutMs = options.timeoutMs ?? 90_000;
  const started = performance.now();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_EC2_METADATA_DISABLED: 'true',
    // A deploy refuses to go ahead without one (infra/params.cjs); this one exists only in test templates.
    EVERGREEN_PUBLIC_ID_SECRET: process.env.EVERGREEN_PUBLIC_ID_SECRET ?? 'package-test-secret-not-real',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    ...options.env,
  };
  // Only the fake keys: a real profile or session token on the machine must not be picked up.
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE']) delete env[name];
  const label = `${options.name}: sls ${args.join(' ')}`;
  const run = await runProcess(process.execPath, [require.resolve('osls/bin/serverless.js'), ...args], { cwd: serviceDir, env, timeoutMs, label });
  const output = run.stdout + run.stderr;
  if (run.code !== 0) throw new Error(`${label} exited ${run.code ?? run.signal}\n${output.slice(-3000)}`);
  const templatePath = join(options.packageDir, 'cloudformation-template-update-stack.json');
  const template = JSON.parse(await readFile(templatePath, 'utf8')) as CfnTemplate;
  if (!output.includes('packaged')) throw new Error(`unexpected sls output:\n${output}`);
  return { template, ms: Math.round(performance.now() - started), command: `npx sls ${args.join(' ')}` };
}
