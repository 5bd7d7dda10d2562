/**
 * Generates `assets/default-avatar.png`, the avatar mails show for users without one (or with a
 * rejected upload). Run once and commit the output: `npx tsx dev/generate-default-avatar.ts`.
 * Drawn from an SVG here (not downloaded) so its origin and licence are this repository's.
 * A new picture needs a new DEFAULT_AVATAR_KEY (the published object is immutable).
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { PROJECT_ROOT } from './sls-invoke';

const SIZE = 256;
// A neutral head-and-shoulders silhouette on an opaque background: PNG without alpha, so it looks
// the same on light and dark mail backgrounds and in clients that mishandle transparency.
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 256 256">
  <rect width="256" height="256" fill="#dfe5ec"/>
  <circle cx="128" cy="100" r="46" fill="#9aa7b5"/>
  <path d="M40 256c0-58 40-92 88-92s88 34 88 92z" fill="#9aa7b5"/>
</svg>`;

async function main(): Promise<void> {
  const png = await sharp(Buffer.from(SVG)).flatten({ background: '#dfe5ec' }).png({ compressionLevel: 9, palette: true }).toBuffer();
  const path = join(PROJECT_ROOT, 'assets/default-avatar.png');
  await writeFile(path, png);
  process.stdout.write(`${path}: ${png.length} bytes, sha256 ${createHash('sha256').update(png).digest('hex')}\n`);
}

await main();
