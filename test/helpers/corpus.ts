/**
 * The shared test corpus (../shared/corpus next to the repo, or EVERGREEN_CORPUS_DIR): real-world files we may read but
 * never copy into the repo. Suites that need it use `describe.skipIf(!hasCorpus)`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// EVERGREEN_CORPUS_DIR points elsewhere, e.g. from a clone that is not beside ../shared.
const configured = process.env.EVERGREEN_CORPUS_DIR?.trim();
export const CORPUS_DIR = configured ? `${configured.replace(/\/+$/, '')}/` : fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
export const hasCorpus = existsSync(`${CORPUS_DIR}MANIFEST.txt`);
if (!hasCorpus) console.warn(`corpus not found at ${CORPUS_DIR}: corpus suites are skipped (set EVERGREEN_CORPUS_DIR to run them)`);

export const corpusFile = (name: string): Buffer => readFileSync(`${CORPUS_DIR}${name}`);
export const corpusPath = (name: string): string => `${CORPUS_DIR}${name}`;

/** Every image file in the corpus (everything but MANIFEST.txt). */
export const corpusFiles = (): string[] => (hasCorpus ? readdirSync(CORPUS_DIR).filter((f) => f !== 'MANIFEST.txt').sort() : []);

export type CorpusExpectation =
  | { outcome: 'accepted'; format: string; width: number; height: number; sizes: number[]; png: boolean }
  | { outcome: 'rejected'; code: string };

export const CORPUS_EXPECTATIONS = JSON.parse(
  readFileSync(new URL('../corpus-expectations.json', import.meta.url), 'utf8'),
) as { files: Record<string, CorpusExpectation> };
