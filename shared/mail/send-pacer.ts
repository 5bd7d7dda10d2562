/**
 * Keeps a batch inside SES limits: at most `concurrency` sends in flight, and send starts spaced
 * so that one function instance never exceeds its share of the account's MaxSendRate.
 */
export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spaces calls to `acquire` at least 1/rate seconds apart (no bursts: SES counts per second). */
export class SendPacer {
  private lastStart = Number.NEGATIVE_INFINITY;
  private rate: number;

  constructor(
    ratePerSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: Sleep = realSleep,
  ) {
    this.rate = ratePerSecond;
  }

  get ratePerSecond(): number {
    return this.rate;
  }

  setRate(ratePerSecond: number): void {
    this.rate = ratePerSecond;
  }

  /** How long a send asking now would wait for its slot if `ahead` sends take theirs first. Reserves nothing. */
  waitMs(ahead = 0): number {
    const now = this.now();
    const spacing = 1000 / this.rate;
    return Math.max(now, this.lastStart + spacing) + ahead * spacing - now;
  }

  /** Resolves when the caller may start one send; returns the start time it was given. */
  async acquire(): Promise<number> {
    // Spacing from the previous start at the current rate, so a new rate applies to the next send.
    const now = this.now();
    const slot = Math.max(now, this.lastStart + 1000 / this.rate);
    this.lastStart = slot;
    if (slot > now) await this.sleep(slot - now);
    return slot;
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
