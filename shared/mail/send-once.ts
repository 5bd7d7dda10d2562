/**
 * Claim -> send -> mark sent: the step that makes a job id go out at most once (see
 * shared/idempotency.ts for the claim protocol). A send that failed releases the claim so the
 * retry can claim again at once; a live claim held by another delivery is a retryable error.
 */
import type { SendEmailCommandInput, SESv2Client } from '@aws-sdk/client-sesv2';
import { errorMessage, retryableError } from '../errors';
import { claimJob, type IdempotencyStore, markSent, releaseClaim } from '../idempotency';
import type { Logger } from '../log';
import { sendEmail } from './ses-send';

export type SendOnceResult =
  | { status: 'sent'; sesMessageId: string; takenOver: boolean }
  | { status: 'duplicate'; sesMessageId: string | undefined };

export interface SendOnceDeps {
  ses: SESv2Client;
  store: IdempotencyStore;
  /** Waits for a send slot (rate limit); called only when we really send. */
  beforeSend: () => Promise<unknown>;
  log: Logger;
}

export async function sendOnce(deps: SendOnceDeps, jobId: string, messageId: string, input: SendEmailCommandInput): Promise<SendOnceResult> {
  const claimed = await claimJob(deps.store, jobId, messageId);
  switch (claimed.status) {
    case 'already-sent':
      deps.log.info('duplicate suppressed', { sesMessageId: claimed.record.sesMessageId, firstMessageId: claimed.record.messageId });
      return { status: 'duplicate', sesMessageId: claimed.record.sesMessageId };
    case 'held':
      // Usually a parallel copy about to finish: the caller retries after the normal backoff
      // (not the whole lease) and then finds the job sent.
      throw retryableError('E_JOB_IN_PROGRESS', `Another delivery holds job ${jobId} for ${claimed.retryAfterSeconds} s more.`);
    case 'claimed': {
      await deps.beforeSend();
      let sesMessageId: string;
      try {
        sesMessageId = await sendEmail(deps.ses, input);
      } catch (error) {
        await releaseClaim(deps.store, claimed.claim, errorMessage(error)).catch((releaseError: unknown) =>
          deps.log.warn('could not release claim; it expires with its lease', { reason: errorMessage(releaseError) }),
        );
        throw error;
      }
      try {
        await markSent(deps.store, claimed.claim, sesMessageId);
      } catch (error) {
        // The mail is out: report success so SQS does not redeliver it; only a re-enqueue could duplicate now.
        deps.log.error('sent, but could not mark the job sent', { sesMessageId, reason: errorMessage(error) });
      }
      return { status: 'sent', sesMessageId, takenOver: claimed.takenOver };
    }
    default: {
      const unreachable: never = claimed;
      throw new Error(`unknown claim result ${JSON.stringify(unreachable)}`);
    }
  }
}
