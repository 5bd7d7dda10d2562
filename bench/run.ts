/**
 * `npm run bench`: the normalize pipeline's cost, every figure a ratio against a baseline measured
 * in the same run on the same machine (absolute milliseconds mean little on a shared 2-core box).
 *
 * Each scenario runs in its own child process so that its peak RSS is its own. Baseline: a plain
 * `sharp(input).resize(512).jpeg()` of the 12 MP photo, the least any avatar service must do.
 * Writes bench/results.json. Needs ../shared/corpus or EVERGREEN_CORPUS_DIR (the 12 MP benchmark input lives there).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { DEFAULT_NORMALIZE_OPTIONS, normalizeImage } from '../shared/image/normalize';

const CORPUS = process.env.EVERGREEN_CORPUS_DIR?.trim()
  ? `${process.env.EVERGREEN_CORPUS_DIR.trim().replace(/\/+$/, '')}/`
  : fileURLToPath(new URL('../../shared/corpus/', import.meta.url));
const PHOTO_12MP = `${CORPUS}derived_12mp_4032x3024_lossless_crop_of_xiaomi.jpg`;
const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 7);

interface Scenario {
  description: string;
  input: string;
  iterations?: number;
  run(input: Buffer): Promise<unknown>;
}

/** Decode everything, then resize each size from the full-size pixels: what shrink-on-load avoids. */
async function fullDecodeEverySize(input: Buffer): Promise<void> {
  const { data, info } = await sharp(input).autoOrient().raw().toBuffer({ resolveWithObject: true });
  for (const size of DEFAULT_NORMALIZE_OPTIONS.sizes) {
    await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
      .resize(size, size, { fit: 'cover' })
      .jpeg({ quality: 82, mozjpeg: true, progressive: true })
      .toBuffer();
  }
}

const rejects = async (work: Promise<unknown>): Promise<void> => {
  await work.then(
    () => {
      throw new Error('expected a rejection');
    },
    () => undefined,
  );
};

const SCENARIOS: Record<string, Scenario> = {
  baseline: {
    description: 'plain sharp(input).resize(512).jpeg() of the 12 MP photo',
    input: PHOTO_12MP,
    run: (input) => sharp(input).resize(512).jpeg().toBuffer(),
  },
  pipeline_12mp: {
    description: 'normalizeImage on the 12 MP photo: sniff, header limits, one master (shrink-on-load), 48/96/192/512 mozjpeg progressive',
    input: PHOTO_12MP,
    run: (input) => normalizeImage(input, DEFAULT_NORMALIZE_OPTIONS),
  },
  full_decode_12mp: {
    description: 'the same four sizes from a full decode of the 12 MP photo, each resized separately (no shrink-on-load, no master)',
    input: PHOTO_12MP,
    run: fullDecodeEverySize,
  },
  pipeline_24mp: {
    description: 'normalizeImage on the 24 MP Sony A6000 photo (6.5 MB)',
    input: `${CORPUS}real_24mp_sony_a6000.jpg`,
    run: (input) => normalizeImage(input, DEFAULT_NORMALIZE_OPTIONS),
  },
  pipeline_png_14mp: {
    description: 'normalizeImage on the 5120x2880 RGBA PNG (14.7 Mpx; PNG has no shrink-on-load)',
    input: `${CORPUS}real_large_rgba_5120x2880.png`,
    iterations: 3,
    run: (input) => normalizeImage(input, DEFAULT_NORMALIZE_OPTIONS),
  },
  pipeline_heic: {
    description: 'normalizeImage on the 1278x720 HEIC (wasm libheif decode)',
    input: `${CORPUS}derived_heic_from_nokia.heic`,
    run: (input) => normalizeImage(input, DEFAULT_NORMALIZE_OPTIONS),
  },
  reject_bomb_256mpx: {
    description: 'normalizeImage rejecting the 16000x16000 PNG bomb from its header',
    input: `${CORPUS}derived_bomb_16000x16000.png`,
    run: (input) => rejects(normalizeImage(input, DEFAULT_NORMALIZE_OPTIONS)),
  },
  plain_sharp_bomb_256mpx: {
    description: 'plain sharp(input).resize(512).jpeg() decoding the same bomb (under sharp\'s default 268 Mpx limit)',
    input: `${CORPUS}derived_bomb_16000x16000.png`,
    iterations: 2,
    run: (input) => sharp(input).resize(512).jpeg().toBuffer(),
  },
};

interface Measurement {
  medianMs: number;
  minMs: number;
  peakRssMb: number;
  iterations: number;
}

async function worker(name: string): Promise<void> {
  const scenario = SCENARIOS[name];
  if (scenario === undefined) throw new Error(`unknown scenario ${name}`);
  const input = readFileSync(scenario.input);
  const iterations = scenario.iterations ?? ITERATIONS;
  await scenario.run(input); // warm-up: module init, wasm compile, libvips caches
  const times: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const start = performance.now();
    await scenario.run(input);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const measurement: Measurement = {
    medianMs: times[Math.floor(times.length / 2)] ?? 0,
    minMs: times[0] ?? 0,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    iterations,
  };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

function measure(name: string): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--worker', name], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error !== null) return reject(new Error(`${name} failed: ${stderr || error.message}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Measurement);
    });
  });
}

const ratio = (value: number, base: number): string => `${(value / base).toPrecision(3)}x`;

async function main(): Promise<void> {
  if (!existsSync(PHOTO_12MP)) {
    console.error(`benchmark input missing: ${PHOTO_12MP} (the shared corpus must sit next to the repo)`);
    process.exitCode = 1;
    return;
  }
  const results: Record<string, Measurement & { description: string; timeVsBaseline: number; rssVsBaseline: number }> = {};
  const baseline = await measure('baseline');
  for (const name of Object.keys(SCENARIOS)) {
    const m = name === 'baseline' ? baseline : await measure(name);
    results[name] = { ...m, description: SCENARIOS[name]!.description, timeVsBaseline: m.medianMs / baseline.medianMs, rssVsBaseline: m.peakRssMb / baseline.peakRssMb };
    console.log(
      `${name.padEnd(24)} time ${ratio(m.medianMs, baseline.medianMs).padStart(7)} of baseline (median ${m.medianMs.toFixed(1)} ms)  peak RSS ${ratio(m.peakRssMb, baseline.peakRssMb).padStart(6)} (${m.peakRssMb.toFixed(0)} MB)`,
    );
  }
  const p = results.pipeline_12mp!;
  const f = results.full_decode_12mp!;
  console.log(`shrink-on-load + one master: ${(f.medianMs / p.medianMs).toFixed(2)}x faster than full decode per size on the 12 MP photo`);
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ node: process.version, sharp: sharp.versions, cpus: (await import('node:os')).cpus().length, baseline: 'baseline', results }, null, 2)}\n`,
  );
  console.log(`wrote ${RESULTS}`);
}

const workerIndex = process.argv.indexOf('--worker');
if (workerIndex >= 0) await worker(process.argv[workerIndex + 1] ?? '');
else await main();
