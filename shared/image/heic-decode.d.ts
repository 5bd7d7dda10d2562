/** Types for `heic-decode` 2.x (the package ships none): only what heic.ts uses. */
declare module 'heic-decode' {
  interface DecodedImage {
    width: number;
    height: number;
    /** RGBA, 4 bytes per pixel. */
    data: Uint8ClampedArray;
  }
  interface LazyImage {
    width: number;
    height: number;
    decode(): Promise<DecodedImage>;
  }
  type LazyImages = LazyImage[] & { dispose(): void };
  interface HeicDecode {
    (options: { buffer: Uint8Array }): Promise<DecodedImage>;
    all(options: { buffer: Uint8Array }): Promise<LazyImages>;
  }
  const decode: HeicDecode;
  export default decode;
}
