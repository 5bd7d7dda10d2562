import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isPipelineError } from '../../shared/errors';
import { readGifHeader, readImageHeader, readIsoBmffHeader, readJpegHeader, readPngHeader, readWebpHeader } from '../../shared/image/header';
import { type InputLimits, inspectInput } from '../../shared/image/limits';
import { DEFAULT_NORMALIZE_OPTIONS, normalizeImage } from '../../shared/image/normalize';
import { corpusFile, hasCorpus } from '../helpers/corpus';

const LIMITS: InputLimits = { maxInputBytes: 1_000_000, maxInputPixels: 40_000_000, minSide: 16 };

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u32le = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const chunk = (type: string, data: Buffer): Buffer => Buffer.concat([u32(data.length), Buffer.from(type, 'latin1'), data, u32(0)]);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG header declaring any size, with no pixel data behind it: the shape of a bomb. */
function pngHeader(width: number, height: number, frames?: number): Buffer {
  const ihdr = Buffer.concat([u32(width), u32(height), Buffer.from([8, 2, 0, 0, 0])]);
  const actl = frames === undefined ? [] : [chunk('acTL', Buffer.concat([u32(frames), u32(0)]))];
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), ...actl, chunk('IDAT', Buffer.alloc(4)), chunk('IEND', Buffer.alloc(0))]);
}

/** A GIF with `frames` 1x1 image descriptors on a `width`x`height` screen. */
function gif(width: number, height: number, frames: number): Buffer {
  const screen = Buffer.from([width & 0xff, width >> 8, height & 0xff, height >> 8, 0, 0, 0]);
  const frame = Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00]);
  return Buffer.concat([Buffer.from('GIF89a'), screen, ...Array.from({ length: frames }, () => frame), Buffer.from([0x3b])]);
}

function jpegHeader(width: number, height: number, sof = 0xc2): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const frame = Buffer.from([0xff, sof, 0x00, 0x11, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, frame, Buffer.from([0xff, 0xda, 0, 2])]);
}

function webpVp8x(width: number, height: number, frames: number): Buffer {
  const flags = frames > 0 ? 0x02 : 0;
  const vp8x = Buffer.from([flags, 0, 0, 0, (width - 1) & 0xff, ((width - 1) >> 8) & 0xff, (width - 1) >> 16, (height - 1) & 0xff, ((height - 1) >> 8) & 0xff, (height - 1) >> 16]);
  const anmf = Array.from({ length: frames }, () => Buffer.concat([Buffer.from('ANMF'), u32le(16), Buffer.alloc(16)]));
  const body = Buffer.concat([Buffer.from('WEBP'), Buffer.from('VP8X'), u32le(10), vp8x, ...anmf]);
  return Buffer.concat([Buffer.from('RIFF'), u32le(body.length), body]);
}

function heifWithIspe(...extents: Array<[number, number]>): Buffer {
  const ftyp = Buffer.concat([u32(20), Buffer.from('ftypheic'), u32(0), Buffer.from('mif1')]);
  const ispes = extents.map(([w, h]) => Buffer.concat([u32(20), Buffer.from('ispe'), u32(0), u32(w), u32(h)]));
  const content = Buffer.concat(ispes);
  const meta = Buffer.concat([u32(content.length + 12), Buffer.from('meta'), u32(0), content]);
  return Buffer.concat([ftyp, meta]);
}

const codeOf = (run: () => unknown): string => {
  try {
    run();
    return 'accepted';
  } catch (error) {
    return isPipelineError(error) ? error.code : `unexpected: ${String(error)}`;
  }
};

describe('header readers: dimensions and frames without decoding', () => {
  it('reads PNG IHDR and APNG frame counts', () => {
    expect(readPngHeader(pngHeader(30000, 30000))).toEqual({ ok: true, header: { width: 30000, height: 30000, frames: 1 } });
    expect(readPngHeader(pngHeader(100, 100, 12))).toEqual({ ok: true, header: { width: 100, height: 100, frames: 12 } });
    expect(readPngHeader(pngHeader(10, 10).subarray(0, 20))).toEqual({ ok: false, problem: 'truncated' });
  });

  it('reads JPEG SOFn for baseline, progressive and arithmetic frames', () => {
    for (const sof of [0xc0, 0xc1, 0xc2, 0xc9, 0xca]) {
      expect(readJpegHeader(jpegHeader(4032, 3024, sof))).toEqual({ ok: true, header: { width: 4032, height: 3024, frames: 1 } });
    }
    expect(readJpegHeader(jpegHeader(10, 10).subarray(0, 25))).toEqual({ ok: false, problem: 'truncated' });
    expect(readJpegHeader(Buffer.from([0xff, 0xd8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]))).toEqual({ ok: false, problem: 'corrupt' });
  });

  it('counts every GIF frame on the logical screen', () => {
    expect(readGifHeader(gif(400, 300, 7))).toEqual({ ok: true, header: { width: 400, height: 300, frames: 7 } });
    expect(readGifHeader(gif(400, 300, 1).subarray(0, 13))).toEqual({ ok: false, problem: 'truncated' });
    expect(readGifHeader(gif(400, 300, 3).subarray(0, -1))).toEqual({ ok: false, problem: 'truncated' }); // no trailer
  });

  it('tells cut-off files from complete ones by their structure (PNG IEND, RIFF size, ISO-BMFF box sizes)', () => {
    expect(readPngHeader(pngHeader(100, 100).subarray(0, -12))).toEqual({ ok: false, problem: 'truncated' });
    expect(readWebpHeader(webpVp8x(100, 100, 2).subarray(0, -4))).toEqual({ ok: false, problem: 'truncated' });
    expect(readIsoBmffHeader(heifWithIspe([100, 100]).subarray(0, -3))).toEqual({ ok: false, problem: 'truncated' });
  });

  it('reads extended WebP canvases and counts animation frames', () => {
    expect(readWebpHeader(webpVp8x(5000, 4000, 0))).toEqual({ ok: true, header: { width: 5000, height: 4000, frames: 1 } });
    expect(readWebpHeader(webpVp8x(1000, 1000, 45))).toEqual({ ok: true, header: { width: 1000, height: 1000, frames: 45 } });
  });

  it('takes the largest HEIF ispe (the grid canvas, not a tile)', () => {
    expect(readIsoBmffHeader(heifWithIspe([512, 512], [8064, 6048], [512, 512]))).toEqual({ ok: true, header: { width: 8064, height: 6048, frames: 1 } });
  });

  it('agrees with libvips on real files', async () => {
    const png = await sharp({ create: { width: 37, height: 21, channels: 4, background: '#0f08' } }).png().toBuffer();
    const webp = await sharp({ create: { width: 37, height: 21, channels: 3, background: '#f00' } }).webp().toBuffer();
    const webpLossless = await sharp({ create: { width: 37, height: 21, channels: 3, background: '#f00' } }).webp({ lossless: true }).toBuffer();
    const jpeg = await sharp({ create: { width: 37, height: 21, channels: 3, background: '#f00' } }).jpeg().toBuffer();
    const gifFile = await sharp({ create: { width: 37, height: 21, channels: 3, background: '#f00' } }).gif().toBuffer();
    for (const [format, file] of [['png', png], ['webp', webp], ['webp', webpLossless], ['jpeg', jpeg], ['gif', gifFile]] as const) {
      expect(readImageHeader(format, file)).toEqual({ ok: true, header: { width: 37, height: 21, frames: 1 } });
    }
  });

  it.skipIf(!hasCorpus)('reads the corpus HEIC, AVIF-like and animated files', () => {
    expect(readImageHeader('heic', corpusFile('derived_heic_from_nokia.heic'))).toEqual({ ok: true, header: { width: 1278, height: 720, frames: 1 } });
    expect(readImageHeader('gif', corpusFile('real_animated_10f.gif'))).toEqual({ ok: true, header: { width: 320, height: 320, frames: 10 } });
    expect(readImageHeader('gif', corpusFile('real_animated_24f_tiny.gif'))).toEqual({ ok: true, header: { width: 14, height: 25, frames: 24 } });
  });
});

describe('inspectInput: rejections with stable codes, before any decoding', () => {
  it.each([
    ['E_EMPTY', Buffer.alloc(0)],
    ['E_TOO_LARGE', Buffer.alloc(1_000_001, 0xff)],
    ['E_FORMAT_UNKNOWN', Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])],
    ['E_FORMAT_UNSUPPORTED', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>')],
    ['E_FORMAT_UNSUPPORTED', Buffer.from('%PDF-1.4\n')],
    ['E_FORMAT_TEXT', Buffer.from('<html><body>404</body></html>')],
    ['E_TRUNCATED', pngHeader(100, 100).subarray(0, 20)],
    ['E_TOO_MANY_PIXELS', pngHeader(30000, 30000)],
    ['E_TOO_MANY_PIXELS', pngHeader(2000, 2000, 11)],
    ['E_TOO_MANY_PIXELS', gif(2000, 2000, 11)],
    ['E_TOO_MANY_PIXELS', webpVp8x(2000, 2000, 11)],
    ['E_TOO_MANY_PIXELS', heifWithIspe([8000, 6000])],
    ['E_TOO_SMALL', pngHeader(15, 400)],
    ['E_TOO_SMALL', jpegHeader(400, 8)],
  ])('%s', (code, input) => {
    expect(codeOf(() => inspectInput(input, LIMITS))).toBe(code);
  });

  it('lets a file exactly at the limits through', () => {
    expect(codeOf(() => inspectInput(pngHeader(16, 16), LIMITS))).toBe('accepted');
    expect(codeOf(() => inspectInput(pngHeader(4000, 10_000), LIMITS))).toBe('accepted');
  });

  it.skipIf(!hasCorpus).each([
    'real_wizard_progressive.jpg',
    'real_gps_sony_nex3n_small.jpg',
    'real_colorlcd_icc.png',
    'real_palette_trns_debian_logo.png',
    'real_animated_10f.gif',
    'real_webp_4096.webp',
    'derived_heic_from_nokia.heic',
  ])('rejects %s cut at 30%%, 60%% and 95%% as E_TRUNCATED', async (name) => {
    const full = corpusFile(name);
    for (const fraction of [0.3, 0.6, 0.95]) {
      await expect(normalizeImage(full.subarray(0, Math.floor(full.length * fraction)), DEFAULT_NORMALIZE_OPTIONS)).rejects.toMatchObject({ code: 'E_TRUNCATED' });
    }
  });

  it('names the numbers in its messages', () => {
    expect(() => inspectInput(pngHeader(2000, 2000, 11), LIMITS)).toThrow('2000x2000 px x 11 frames (44.0 Mpx); the limit is 40.0 Mpx');
  });

  it.skipIf(!hasCorpus)('refuses the corpus bombs without allocating their pixels', async () => {
    for (const name of ['derived_bomb_30000x30000.png', 'derived_bomb_16000x16000.png', 'derived_bomb_progressive_16000.jpg']) {
      const input = corpusFile(name);
      const before = process.memoryUsage().rss;
      await expect(normalizeImage(input, DEFAULT_NORMALIZE_OPTIONS)).rejects.toMatchObject({ code: 'E_TOO_MANY_PIXELS' });
      // A decode would need 256-900 MB; the header check needs nothing measurable.
      expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    }
  });
});
