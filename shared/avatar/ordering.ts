/**
 * Which of two S3 events happened later; arrival order means nothing (delivery is at least once,
 * retries and parallel invocations reorder freely).
 *
 * S3 `sequencer` values are hex strings of varying length that order the events **of one key**
 * once left-padded to the same length; AWS does not promise they compare across keys. So: same
 * key -> sequencer; different keys (a user uploading a.jpg then b.jpg) -> `eventTime`, with the
 * sequencer breaking a tie within the same millisecond.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
export interface EventPosition {
  sequencer: string;
  /** ISO time of the event. */
  eventTime?: string | undefined;
  /** The object key the event is about. */
  key?: string | undefined;
}

export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const left = a.toUpperCase().padStart(width, '0');
  const right = b.toUpperCase().padStart(width, '0');
  return left < right ? -1 : left > right ? 1 : 0;
}

const timeOf = (position: EventPosition): number => Date.parse(position.eventTime ?? '');

/** Negative when `a` is older than `b`, positive when newer, 0 when they cannot be told apart. */
export function compareEvents(a: EventPosition, b: EventPosition): number {
  const bothSequenced = a.sequencer !== '' && b.sequencer !== '';
  const sameKey = a.key !== undefined && a.key === b.key;
  if (bothSequenced && sameKey) return compareSequencers(a.sequencer, b.sequencer);
  const [at, bt] = [timeOf(a), timeOf(b)];
  if (!Number.isNaN(at) && !Number.isNaN(bt) && at !== bt) return Math.sign(at - bt);
  return bothSequenced ? compareSequencers(a.sequencer, b.sequencer) : 0;
}
