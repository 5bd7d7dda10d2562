/**
 * `normalize <file> [--out DIR] [--json]`: previews what the Lambda publishes for a file.
 * The JSON shape is a contract (docs/normalization.md); keep it stable.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadImageOptions } from '../shared/config';
import { isPipelineError } from '../shared/errors';
import { readImageHeader } from '../shared/image/header';
import { normalizeImage } from '../shared/image/normalize';
import { sniffFormat } from '../shared/image/sniff';
import { extensionFor, type VariantFormat } from '../shared/keys';

export interface CliVariant {
  size: number;
  format: VariantFormat;
  /** The file written under --out; null without --out. */
  path: string | null;
  bytes: number;
  width: number;
  height: number;
}

export interface CliResult {
  status: 'accepted' | 'rejected';
  code: string | null;
  message: string | null;
  source: { format: string; width: number; height: number } | null;
  variants: CliVariant[];
  /** Configured sizes not published because they would upscale the source beyond MAX_UPSCALE. */
  skippedSizes: number[];
}

/** What the headers say about a rejected file in an accepted format (e.g. a bomb's declared size); else null. */
function describeRejectedSource(bytes: Buffer): CliResult['source'] {
  const sniffed = sniffFormat(bytes);
  if (sniffed.kind !== 'accepted') return null;
  const header = readImageHeader(sniffed.format, bytes);
  return header.ok ? { format: sniffed.format, width: header.header.width, height: header.header.height } : null;
}

export async function normalizeFile(file: string, outDir: string | undefined): Promise<CliResult> {
  const bytes = await readFile(file);
  const options = loadImageOptions(process.env);
  try {
    const normalized = await normalizeImage(bytes, options);
    if (outDir !== undefined) await mkdir(outDir, { recursive: true });
    const variants: CliVariant[] = [];
    for (const variant of normalized.variants) {
      const path = outDir === undefined ? null : join(outDir, `${variant.size}.${extensionFor(variant.format)}`);
      if (path !== null) await writeFile(path, variant.body);
      variants.push({ size: variant.size, format: variant.format, path, bytes: variant.body.length, width: variant.width, height: variant.height });
    }
    return { status: 'accepted', code: null, message: null, source: normalized.source, variants, skippedSizes: normalized.skippedSizes };
  } catch (error) {
    if (!isPipelineError(error) || error.kind !== 'permanent') throw error;
    return { status: 'rejected', code: error.code, message: error.message, source: describeRejectedSource(bytes), variants: [], skippedSizes: [] };
  }
}

function humanReport(file: string, result: CliResult): string {
  if (result.status === 'rejected') return `${file}: rejected ${result.code}: ${result.message}\n`;
  const source = result.source === null ? '' : ` (${result.source.format} ${result.source.width}x${result.source.height})`;
  const lines = result.variants.map((v) => `  ${String(v.size).padStart(4)} ${v.format.padEnd(4)} ${v.width}x${v.height} ${v.bytes} bytes${v.path === null ? '' : ` -> ${v.path}`}`);
  const skipped = result.skippedSizes.length === 0 ? '' : `\n  not published (would upscale beyond MAX_UPSCALE): ${result.skippedSizes.join(', ')}`;
  return `${file}: accepted${source}\n${lines.join('\n')}${skipped}\n`;
}

export async function runNormalizeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new Error('expected exactly one <file>; usage: normalize <file> [--out DIR] [--json]');
  const result = await normalizeFile(file, values.out);
  process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : humanReport(file, result));
  return result.status === 'accepted' ? 0 : 2;
}
