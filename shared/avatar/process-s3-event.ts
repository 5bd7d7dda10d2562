/**
 * S3 event -> one publish per created upload, one erase per removed upload. A bad record never
 * stops the others: permanent failures are recorded as rejections, retryable ones make the
 * invocation fail at the end so Lambda's async retry runs it again (re-processing is a no-op
 * thanks to content-addressed keys).
 */
import type { S3Event } from 'aws-lambda';
import { asPipelineError, type ErrorKind, retryableError } from '../errors';
import { parseUploadKey } from '../keys';
import { parseS3Event } from '../s3-event';
import { type EraseDeps, type EraseOutcome, eraseUserAvatars } from './delete';
import { type PublishDeps, type PublishOutcome, publishUpload } from './publish';

export type RecordOutcome =
  | PublishOutcome
  | (EraseOutcome & { key: string })
  | { status: 'skipped'; key: string; reason: string }
  | { status: 'failed'; key: string; kind: ErrorKind; code: string; message: string };

export interface S3EventResult {
  outcomes: RecordOutcome[];
}

export type S3EventDeps = PublishDeps & Pick<EraseDeps, 'cloudfront'>;

export async function processS3Event(deps: S3EventDeps, event: S3Event): Promise<S3EventResult> {
  const outcomes: RecordOutcome[] = [];
  // Sequential on purpose: one decoded photo at a time keeps memory bounded in a 1 GB Lambda.
  for (const change of parseS3Event(event)) {
    const log = deps.log.child({ key: change.key });
    const upload = parseUploadKey(change.key);
    if (upload === undefined) {
      // Our own outputs (avatars/, manifests/) land here if the trigger is misconfigured: never react.
      log.warn('ignored object outside uploads/<userId>/', { bucket: change.bucket });
      outcomes.push({ status: 'skipped', key: change.key, reason: 'not under uploads/<userId>/' });
      continue;
    }
    try {
      switch (change.kind) {
        case 'created':
          outcomes.push(
            await publishUpload(
              { ...deps, log },
              { bucket: change.bucket, key: change.key, userId: upload.userId, sequencer: change.sequencer, eventTime: change.eventTime },
            ),
          );
          break;
        case 'removed': {
          const reference = change.sequencer !== '' ? change.sequencer : change.eventTime;
          const erased = await eraseUserAvatars({ ...deps, log }, { bucket: change.bucket, userId: upload.userId, reference, onlyIfNoUploadsLeft: true });
          outcomes.push({ ...erased, key: change.key });
          break;
        }
        default: {
          const unreachable: never = change.kind;
          throw new Error(`unknown S3 change ${String(unreachable)}`);
        }
      }
    } catch (thrown) {
      const error = asPipelineError(thrown);
      log.error('avatar processing failed', { userId: upload.userId, code: error.code, kind: error.kind, reason: error.message });
      outcomes.push({ status: 'failed', key: change.key, kind: error.kind, code: error.code, message: error.message });
    }
  }
  // The rest of the batch has finished; now fail the invocation so Lambda retries the passing faults.
  const retryable = outcomes.filter((o) => o.status === 'failed' && o.kind === 'retryable');
  if (retryable.length > 0) {
    throw retryableError('E_RETRY', `${retryable.length} record(s) hit a passing fault; the event will be retried`);
  }
  return { outcomes };
}
