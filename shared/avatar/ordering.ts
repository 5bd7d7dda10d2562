/**
 * Which of two S3 events happened later. S3 `sequencer` values are hex strings of varying
 * length that order events for a key once left-padded to the same length; arrival order means
 * nothing (delivery is at least once, retries and parallel invocations reorder freely).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
export interface EventPosition {
  sequencer: string;
  /** ISO time of the event: the fallback when a sequencer is missing (hand-made events, old manifests). */
  eventTime?: string | undefined;
}

export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const left = a.toUpperCase().padStart(width, '0');
  const right = b.toUpperCase().padStart(width, '0');
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Negative when `a` is older than `b`, positive when newer, 0 when they cannot be told apart. */
export function compareEvents(a: EventPosition, b: EventPosition): number {
  if (a.sequencer !== '' && b.sequencer !== '') return compareSequencers(a.sequencer, b.sequencer);
  const at = Date.parse(a.eventTime ?? '');
  const bt = Date.parse(b.eventTime ?? '');
  if (Number.isNaN(at) || Number.isNaN(bt)) return 0;
  return Math.sign(at - bt);
}

export const isNewer = (a: EventPosition, b: EventPosition): boolean => compareEvents(a, b) > 0;
