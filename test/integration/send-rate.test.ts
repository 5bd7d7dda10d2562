/**
 * Pacing against the local SES through the fault proxy: the concurrency cap holds, and the rate
 * comes from SES GetAccount (asked once, cached) divided among the function instances.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../../dev/fault-proxy';
import { createMemoryLogger } from '../../shared/log';
import { enqueueEmail } from '../../shared/mail/enqueue';
import { processSqsEvent } from '../../shared/mail/process-sqs-event';
import { FALLBACK_SEND_RATE, SendRateSource } from '../../shared/mail/send-rate';
import { sesStore, useLocalStack } from '../helpers/local-stack';
import { sendFixture, sesClientFor } from '../helpers/send-fixture';
import { drainQueue } from '../helpers/sqs-poller';
import { permanentUrl } from '../../shared/urls/public-url';

// aws-ses-v2-local answers GetAccount from this variable (read per request, in this process).
const ACCOUNT = {
  DedicatedIpAutoWarmupEnabled: false,
  Details: { AdditionalContactEmailAddresses: [], ContactLanguage: 'EN', MailType: 'TRANSACTIONAL', ReviewDetails: { CaseId: '1', Status: 'GRANTED' }, UseCaseDescription: 'x', WebsiteURL: 'https://example.com' },
  EnforcementStatus: 'HEALTHY',
  ProductionAccessEnabled: true,
  SendingEnabled: true,
  SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 },
  SuppressionAttributes: { SuppressedReasons: [] },
};

describe('send rate and concurrency', () => {
  const local = useLocalStack();
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy({ upstream: local().stack.endpoints.ses, allPaths: true });
  });
  afterAll(async () => {
    delete process.env.AWS_SES_ACCOUNT;
    await proxy?.close();
  });

  it('asks GetAccount once for MaxSendRate and splits it among the instances', async () => {
    process.env.AWS_SES_ACCOUNT = JSON.stringify(ACCOUNT);
    proxy.reset();
    const { logger } = createMemoryLogger();
    const source = new SendRateSource(sesClientFor(proxy.url), { maxSendRate: undefined, instances: 2 });
    expect(await source.perInstanceRate(logger)).toBe(7);
    expect(await source.perInstanceRate(logger)).toBe(7);
    expect(proxy.log.filter((r) => r.path === '/v2/email/account')).toHaveLength(1);
    const configured = new SendRateSource(sesClientFor(proxy.url), { maxSendRate: 40, instances: 4 });
    expect(await configured.perInstanceRate(logger)).toBe(10);
    expect(proxy.log.filter((r) => r.path === '/v2/email/account')).toHaveLength(1);
  });

  it('falls back to the sandbox rate (and says so) when GetAccount fails', async () => {
    delete process.env.AWS_SES_ACCOUNT;
    const { logger, lines } = createMemoryLogger();
    const source = new SendRateSource(sesClientFor(proxy.url), { maxSendRate: undefined, instances: 1 });
    expect(await source.perInstanceRate(logger)).toBe(FALLBACK_SEND_RATE);
    expect(lines.find((l) => l.message === 'GetAccount failed; pacing at the sandbox rate')).toBeDefined();
  });

  it('never has more SendEmail calls in flight than SEND_CONCURRENCY', async () => {
    const { stack, s3, sqs } = local();
    const config = await sendFixture(stack, s3, { SEND_CONCURRENCY: '3', MAX_SEND_RATE: '1000' });
    proxy.reset();
    proxy.setRule((request) => (request.path === '/v2/email/outbound-emails' ? { kind: 'latency', ms: 150 } : undefined));
    for (let i = 0; i < 10; i += 1) {
      await enqueueEmail(sqs, stack.queueUrl, { id: `rate-${i}`, from: 'app@example.com', to: 'r@example.com', subject: `rate-${i}`, text: 'x' });
    }
    const { logger, lines } = createMemoryLogger();
    const outcomes = await drainQueue({ sqs, queueUrl: stack.queueUrl, queueArn: stack.queueArn, region: stack.region, process: (event) => processSqsEvent({ s3, ses: sesClientFor(proxy.url), sqs, config, urlFor: (key) => permanentUrl(config.avatarBaseUrl, key), log: logger }, event) });
    expect(outcomes.filter((o) => o.status === 'sent')).toHaveLength(10);
    expect(proxy.log.filter((r) => r.path === '/v2/email/outbound-emails')).toHaveLength(10);
    // Concurrent (more than one at once), but never above the cap.
    expect(proxy.peakConcurrency).toBeGreaterThan(1);
    expect(proxy.peakConcurrency).toBeLessThanOrEqual(3);
    expect((await sesStore(stack)).filter((m) => m.subject.startsWith('rate-'))).toHaveLength(10);
    expect(lines.find((l) => l.message === 'batch done')).toMatchObject({ ratePerSecond: 1000 });
  });
});
