import { describe, expect, it } from 'vitest';
import { queueUrlFromArn } from '../../shared/mail/queue-url';
import { visibilityTimeoutFor } from '../../shared/mail/retry-policy';
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
