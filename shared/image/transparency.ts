/**
 * Whether an image really uses its alpha channel. Many PNGs carry an alpha channel that is 255
 * everywhere; those get a JPEG only. A single non-opaque pixel is enough to also publish a PNG,
 * because flattening would change what the user sees (a white logo would vanish on white).
 */
import sharp from 'sharp';

export interface RawPixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

export async function usesTransparency(image: RawPixels): Promise<boolean> {
  if (image.channels !== 2 && image.channels !== 4) return false;
  const stats = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } }).stats();
  const alpha = stats.channels[image.channels - 1];
  return alpha !== undefined && alpha.min < 255;
}
