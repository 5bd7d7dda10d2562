/**
 * Keeps a batch inside the function timeout. A send is started only if, after waiting for its
 * pacing slot, at least a safety margin of the invocation is left for the claim, the SES call
 * and marking it sent. Otherwise the record is deferred untouched (no claim): if Lambda killed
 * the invocation instead, the whole batch would come back and its live claims would block the
 * retries until their lease ran out.
 */
import type { SendPacer } from './send-pacer';

/** Time kept free after the pacing wait: claim (S3), SendEmail, mark sent. */
export const DEADLINE_MARGIN_MS = 5_000;

export interface SendTicket {
  /** Waits for the pacing slot (call right before sending). */
  acquire(): Promise<number>;
  /** Gives the admission back without sending (duplicate, failure before the send). Idempotent. */
  release(): void;
}

export type Admission = { admitted: true; ticket: SendTicket } | { admitted: false; waitMs: number; remainingMs: number };

export class SendAdmission {
  /** Sends admitted that have not taken their pacing slot yet: they will, before a new one. */
  private pending = 0;

  constructor(
    private readonly pacer: SendPacer,
    /** Lambda's `context.getRemainingTimeInMillis`; without it there is no deadline. */
    private readonly remainingTimeMs: (() => number) | undefined,
    private readonly marginMs: number = DEADLINE_MARGIN_MS,
  ) {}

  admit(): Admission {
    const waitMs = this.pacer.waitMs(this.pending);
    if (this.remainingTimeMs !== undefined) {
      const remainingMs = this.remainingTimeMs();
      if (remainingMs < this.marginMs + waitMs) return { admitted: false, waitMs, remainingMs };
    }
    this.pending += 1;
    let open = true;
    const release = (): void => {
      if (!open) return;
      open = false;
      this.pending -= 1;
    };
    return {
      admitted: true,
      ticket: {
        acquire: () => {
          release();
          return this.pacer.acquire();
        },
        release,
      },
    };
  }
}
