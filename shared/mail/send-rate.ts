/**
 * The send rate one function instance may use: the configured MAX_SEND_RATE, or the account's
 * `SendQuota.MaxSendRate` from SES GetAccount (cached: it changes when AWS raises the quota, not
 * per mail), divided by how many instances SQS runs at once (the event source's maximumConcurrency).
 */
import { GetAccountCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { errorMessage } from '../errors';
import type { Logger } from '../log';

/** The SES sandbox rate: safe when the account cannot be asked. */
export const FALLBACK_SEND_RATE = 1;
const CACHE_MS = 10 * 60 * 1000;

export interface SendRateConfig {
  /** Messages per second for the whole account, when configured instead of asked. */
  maxSendRate: number | undefined;
  /** Instances sharing the account rate (maximumConcurrency of the SQS event source). */
  instances: number;
}

export class SendRateSource {
  private cached: { rate: number; until: number } | undefined;

  constructor(
    private readonly ses: SESv2Client,
    private readonly config: SendRateConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Per-instance messages per second. */
  async perInstanceRate(log: Logger): Promise<number> {
    return (await this.accountRate(log)) / this.config.instances;
  }

  private async accountRate(log: Logger): Promise<number> {
    if (this.config.maxSendRate !== undefined) return this.config.maxSendRate;
    if (this.cached !== undefined && this.cached.until > this.now()) return this.cached.rate;
    let rate = FALLBACK_SEND_RATE;
    try {
      const account = await this.ses.send(new GetAccountCommand({}));
      const reported = account.SendQuota?.MaxSendRate;
      if (reported !== undefined && reported > 0) rate = reported;
      else log.warn('GetAccount reported no MaxSendRate; pacing at the sandbox rate', { rate });
    } catch (error) {
      log.warn('GetAccount failed; pacing at the sandbox rate', { rate, reason: errorMessage(error) });
    }
    this.cached = { rate, until: this.now() + CACHE_MS };
    return rate;
  }
}
