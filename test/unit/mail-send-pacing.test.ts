import { describe, expect, it } from 'vitest';
import { queueUrlFromArn } from '../../shared/mail/queue-url';
import { visibilityTimeoutFor } from '../../shared/mail/retry-policy';
import { SendAdmission } from '../../shared/mail/send-deadline';
import { mapConcurrent, SendPacer } from '../../shared/mail/send-pacer';

function fakeClock() {
  let now = 1_000_000;
  return { now: () => now, sleep: async (ms: number) => { now += ms; } };
}

describe('send pacing', () => {
  it('spaces send starts 1/rate apart, so 10 sends at 4/s take 2.25 s of clock', async () => {
    const clock = fakeClock();
    const pacer = new SendPacer(4, clock.now, clock.sleep);
    const starts: number[] = [];
    for (let i = 0; i < 10; i += 1) starts.push((await pacer.acquire()) - 1_000_000);
    expect(starts).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2250]);
  });

  it('follows a new rate (GetAccount answered later)', async () => {
    const clock = fakeClock();
    const pacer = new SendPacer(1, clock.now, clock.sleep);
    await pacer.acquire();
    pacer.setRate(10);
    expect((await pacer.acquire()) - 1_000_000).toBe(100);
    expect((await pacer.acquire()) - 1_000_000).toBe(200);
  });

  it('tells the wait for the next slot without taking it', async () => {
    const clock = fakeClock();
    const pacer = new SendPacer(4, clock.now, clock.sleep);
    expect([pacer.waitMs(), pacer.waitMs(2)]).toEqual([0, 500]);
    await pacer.acquire();
    expect([pacer.waitMs(), pacer.waitMs(), pacer.waitMs(1)]).toEqual([250, 250, 500]);
  });

  it('admits a send only if its slot leaves the margin before the deadline; deferred sends take no slot', async () => {
    // 0.25/s: a send every 4 s; a 30 s invocation; 5 s margin. One send at a time, as with SEND_CONCURRENCY=1.
    const clock = fakeClock();
    const deadline = clock.now() + 30_000;
    const pacer = new SendPacer(0.25, clock.now, clock.sleep);
    const admission = new SendAdmission(pacer, () => deadline - clock.now(), 5_000);
    const decisions: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const admitted = admission.admit();
      if (!admitted.admitted) {
        decisions.push(`deferred(wait ${admitted.waitMs}, left ${admitted.remainingMs})`);
        continue;
      }
      decisions.push(`sent@${(await admitted.ticket.acquire()) - 1_000_000}`);
    }
    expect(decisions).toEqual([
      'sent@0', 'sent@4000', 'sent@8000', 'sent@12000', 'sent@16000', 'sent@20000', 'sent@24000',
      'deferred(wait 4000, left 6000)', 'deferred(wait 4000, left 6000)', 'deferred(wait 4000, left 6000)',
    ]);
  });

  it('counts admitted sends that have not taken their slot yet, and forgets released ones', () => {
    const clock = fakeClock();
    const pacer = new SendPacer(1, clock.now, clock.sleep);
    const admission = new SendAdmission(pacer, () => 7_000, 5_000);
    const first = admission.admit();
    const second = admission.admit();
    // A third would wait behind two pending sends (2 s): 5 s + 2 s <= 7 s still fits; a fourth does not.
    const third = admission.admit();
    expect([first.admitted, second.admitted, third.admitted]).toEqual([true, true, true]);
    expect(admission.admit()).toEqual({ admitted: false, waitMs: 3_000, remainingMs: 7_000 });
    // A duplicate gives its admission back (twice is harmless): room for one more.
    if (!second.admitted) throw new Error('admitted expected');
    second.ticket.release();
    second.ticket.release();
    expect(admission.admit().admitted).toBe(true);
    // Without a deadline everything is admitted.
    expect(new SendAdmission(pacer, undefined).admit().admitted).toBe(true);
  });

  it('never runs more than the concurrency cap at once and keeps result order', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapConcurrent([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, n));
      inFlight -= 1;
      return n * 10;
    });
    expect(peak).toBe(3);
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
  });
});

describe('retry visibility', () => {
  it('doubles with every receive, up to the cap and the SQS maximum', () => {
    const policy = { baseSeconds: 30, maxSeconds: 900 };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => visibilityTimeoutFor(n, policy))).toEqual([30, 60, 120, 240, 480, 900, 900]);
    expect(visibilityTimeoutFor(Number.NaN, policy)).toBe(30);
    expect(visibilityTimeoutFor(40, { baseSeconds: 60, maxSeconds: 100_000 })).toBe(43_200);
  });
});

describe('queue URL from an event source ARN', () => {
  it('builds the AWS URL, or the local endpoint one', () => {
    expect(queueUrlFromArn('arn:aws:sqs:eu-west-1:123456789012:jobs', undefined)).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/jobs');
    expect(queueUrlFromArn('arn:aws:sqs:us-east-1:000000000000:jobs', 'http://127.0.0.1:4576/')).toBe('http://127.0.0.1:4576/000000000000/jobs');
    expect(() => queueUrlFromArn('arn:aws:sns:us-east-1:1:t', undefined)).toThrow(/not an SQS queue ARN/);
  });
});
