/**
 * The image core's public face: callers import from here, the work lives in small modules
 * (sniff, header, limits, heic, pipeline, transparency, rendition-hash).
 */
export { type CropPosition, DEFAULT_NORMALIZE_OPTIONS, type NormalizeOptions, sizesFor } from './options';
export { type ImageVariant, type NormalizedImage, normalizeImage, type SourceInfo } from './pipeline';
export { describeRejection, isRejectionCode, REJECTION_CODES, type RejectionCode } from './rejection';
export { type AcceptedFormat, sniffFormat } from './sniff';
