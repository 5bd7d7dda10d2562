/**
 * Every way an upload can be turned down, each with a stable code the app can switch on and a
 * message a user can act on. Codes are part of the public contract (manifest, CLI, logs).
 */
import { type PipelineError, permanentError } from '../errors';

export const REJECTION_CODES = [
  'E_EMPTY',
  'E_TOO_LARGE',
  'E_FORMAT_UNKNOWN',
  'E_FORMAT_UNSUPPORTED',
  'E_FORMAT_TEXT',
  'E_TRUNCATED',
  'E_CORRUPT',
  'E_TOO_MANY_PIXELS',
  'E_TOO_SMALL',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

export const isRejectionCode = (code: string): code is RejectionCode => REJECTION_CODES.some((c) => c === code);

/** One line per code: what it means, for docs and for anyone reading a manifest. */
export function describeRejection(code: RejectionCode): string {
  switch (code) {
    case 'E_EMPTY':
      return 'The file is empty (0 bytes).';
    case 'E_TOO_LARGE':
      return 'The file is larger than the byte limit.';
    case 'E_FORMAT_UNKNOWN':
      return 'The bytes are not any format we recognise.';
    case 'E_FORMAT_UNSUPPORTED':
      return 'A recognised format we do not accept (SVG, TIFF, PDF, BMP, ...).';
    case 'E_FORMAT_TEXT':
      return 'The file is text (HTML, XML, JSON, plain text), not an image.';
    case 'E_TRUNCATED':
      return 'The image ends early: the upload is incomplete.';
    case 'E_CORRUPT':
      return 'The image is damaged and cannot be decoded.';
    case 'E_TOO_MANY_PIXELS':
      return 'The image declares more pixels (all frames together) than the pixel limit.';
    case 'E_TOO_SMALL':
      return 'A side of the image is shorter than the minimum.';
    default: {
      const unreachable: never = code;
      throw new Error(`unknown rejection code ${String(unreachable)}`);
    }
  }
}

export const rejection = (code: RejectionCode, message: string, cause?: unknown): PipelineError =>
  permanentError(code, message, cause);
