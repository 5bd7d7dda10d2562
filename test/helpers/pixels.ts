/** Colour and pixel comparisons for image tests: sRGB -> CIE Lab, mean Delta E 1976. */
import sharp from 'sharp';

export interface Raw {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

/** Decodes any image into 8-bit sRGB RGB pixels, optionally resized (same kernel for both sides of a comparison). */
export async function rgbPixels(input: Buffer, size?: { width: number; height: number }): Promise<Raw> {
  let image = sharp(input).removeAlpha().toColourspace('srgb');
  if (size !== undefined) image = image.resize(size.width, size.height, { fit: 'fill' });
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

const linear = (c: number): number => {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
};
const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);

export function srgbToLab(r: number, g: number, b: number): [number, number, number] {
  const [R, G, B] = [linear(r), linear(g), linear(b)];
  const x = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047;
  const y = 0.2126 * R + 0.7152 * G + 0.0722 * B;
  const z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883;
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

/** Mean Delta E (CIE76) over all pixels of two same-sized RGB images. */
export function meanDeltaE(a: Raw, b: Raw): number {
  if (a.width !== b.width || a.height !== b.height || a.channels !== 3 || b.channels !== 3) throw new Error('compare RGB images of equal size');
  let sum = 0;
  for (let i = 0; i < a.data.length; i += 3) {
    const [l1, a1, b1] = srgbToLab(a.data[i]!, a.data[i + 1]!, a.data[i + 2]!);
    const [l2, a2, b2] = srgbToLab(b.data[i]!, b.data[i + 1]!, b.data[i + 2]!);
    sum += Math.hypot(l1 - l2, a1 - a2, b1 - b2);
  }
  return sum / (a.data.length / 3);
}

/** Mean chroma (colourfulness) in Lab: a profile dropped instead of converted shows up as lower chroma. */
export function meanChroma(image: Raw): number {
  let sum = 0;
  for (let i = 0; i < image.data.length; i += 3) {
    const [, a, b] = srgbToLab(image.data[i]!, image.data[i + 1]!, image.data[i + 2]!);
    sum += Math.hypot(a, b);
  }
  return sum / (image.data.length / 3);
}

export const inverted = (image: Raw): Raw => ({ ...image, data: Buffer.from(image.data.map((v) => 255 - v)) });
