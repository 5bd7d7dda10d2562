/**
 * Errors are values with a kind: the kind alone decides what happens next.
 * - `permanent`: retrying cannot help (bad input, rejected by SES); dead-letter or reject at once.
 * - `retryable`: a passing fault (throttling, 5xx, timeouts); leave the work queued and try again.
 */
export type ErrorKind = 'permanent' | 'retryable';

export class PipelineError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;

  constructor(kind: ErrorKind, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PipelineError';
    this.kind = kind;
    this.code = code;
  }
}

export const permanentError = (code: string, message: string, cause?: unknown): PipelineError =>
  new PipelineError('permanent', code, message, { cause });

export const retryableError = (code: string, message: string, cause?: unknown): PipelineError =>
  new PipelineError('retryable', code, message, { cause });

export const isPipelineError = (value: unknown): value is PipelineError => value instanceof PipelineError;

export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}

/** The HTTP status an AWS SDK error came with (undefined for network-level failures). */
export const httpStatusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

/** Unknown failures (SDK errors, bugs) are retryable: losing work is worse than trying once more. */
export function asPipelineError(value: unknown, fallbackCode = 'E_INTERNAL'): PipelineError {
  if (isPipelineError(value)) return value;
  return retryableError(fallbackCode, errorMessage(value), value);
}
