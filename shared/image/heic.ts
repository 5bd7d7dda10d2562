/**
 * HEIC/HEIF decoding through libheif compiled to wasm (`heic-decode`): the prebuilt libvips has
 * no HEVC decoder. The image size is checked against the pixel limit again from libheif's own
 * view of the file before a single pixel buffer is allocated.
 */
import decodeHeif from 'heic-decode';
import { rejection } from './rejection';

export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 4;
}

export async function decodeHeic(bytes: Uint8Array, maxPixels: number): Promise<RawImage> {
  let images: Awaited<ReturnType<typeof decodeHeif.all>>;
  try {
    images = await decodeHeif.all({ buffer: bytes });
  } catch (error) {
    throw rejection('E_CORRUPT', 'The HEIC file could not be read.', error);
  }
  try {
    const primary = images[0];
    if (primary === undefined) throw rejection('E_CORRUPT', 'The HEIC file contains no image.');
    if (primary.width * primary.height > maxPixels) {
      throw rejection('E_TOO_MANY_PIXELS', `The HEIC image is ${primary.width}x${primary.height} px; the limit is ${maxPixels} px.`);
    }
    const decoded = await primary.decode().catch((error: unknown) => {
      throw rejection('E_CORRUPT', 'The HEIC image could not be decoded.', error);
    });
    const data = Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
    return { data, width: decoded.width, height: decoded.height, channels: 4 };
  } finally {
    images.dispose();
  }
}
