/**
 * How long a failed job stays invisible before SQS offers it again: doubling with every receive
 * (30 s, 60 s, 120 s, ...) up to a cap, so a throttled or paused account is not hammered.
 */
/** SQS refuses visibility timeouts above 12 hours. */
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;

export interface RetryPolicy {
  baseSeconds: number;
  maxSeconds: number;
}

/** `receiveCount` is SQS's ApproximateReceiveCount: 1 on the first delivery. */
export function visibilityTimeoutFor(receiveCount: number, policy: RetryPolicy): number {
  const attempt = Number.isInteger(receiveCount) && receiveCount > 0 ? receiveCount : 1;
  const seconds = policy.baseSeconds * 2 ** Math.min(attempt - 1, 30);
  return Math.min(seconds, policy.maxSeconds, SQS_MAX_VISIBILITY_SECONDS);
}
