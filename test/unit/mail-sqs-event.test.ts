import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { loadSendConfig } from '../../shared/config';
import { permanentError } from '../../shared/errors';
import { createMemoryLogger } from '../../shared/log';
import { deadLetterAttributes } from '../../shared/mail/dead-letter';
import { processSqsEvent } from '../../shared/mail/process-sqs-event';
import { completeSqsRecord, sqsRecordsOf } from '../../shared/mail/sqs-records';
import { permanentUrl } from '../../shared/urls/public-url';

describe('the SQS event at the edge of the send core', () => {
  it('refuses an event without a Records array with a permanent E_EVENT, logged once, before any I/O', async () => {
    const config = loadSendConfig({ AVATAR_BUCKET: 'b', AVATAR_BASE_URL: 'https://cdn.example/', PUBLIC_ID_SECRET: 'unit-test-secret-0123456789', MAX_SEND_RATE: '1' });
    // Clients pointed at a closed port: any request would fail, and none is made.
    const endpoint = 'http://127.0.0.1:9';
    const deps = { s3: new S3Client({ endpoint, region: 'us-east-1' }), ses: new SESv2Client({ endpoint, region: 'us-east-1' }), config, urlFor: (key: string) => permanentUrl(config.avatarBaseUrl, key) };
    for (const event of [{ foo: 1 }, { Records: 'x' }, null, [1], 'text']) {
      const { logger, lines } = createMemoryLogger();
      await expect(processSqsEvent({ ...deps, log: logger }, event)).rejects.toMatchObject({ kind: 'permanent', code: 'E_EVENT', message: expect.stringMatching(/^Expected an SQS event/) });
      expect(lines).toEqual([expect.objectContaining({ level: 'error', message: 'event refused', code: 'E_EVENT', kind: 'permanent' })]);
    }
  });

  it('describes what it got instead', () => {
    expect(() => sqsRecordsOf({ foo: 1 })).toThrow('Expected an SQS event {"Records": [...]}, got an object with fields foo.');
    expect(() => sqsRecordsOf(undefined)).toThrow(/got undefined\.$/);
  });

  it('completes records missing attributes, body or anything else, so each is handled on its own', () => {
    const [bare, partial, notAnObject] = sqsRecordsOf({ Records: [{ messageId: 'm-1', body: '{}' }, { messageId: 'm-2', attributes: { ApproximateReceiveCount: '3', MessageGroupId: 'g' } }, 7] });
    expect(bare).toMatchObject({ messageId: 'm-1', body: '{}', attributes: { ApproximateReceiveCount: '1' }, messageAttributes: {}, eventSource: 'aws:sqs', eventSourceARN: '' });
    expect(partial).toMatchObject({ messageId: 'm-2', body: '', attributes: { ApproximateReceiveCount: '3', MessageGroupId: 'g' } });
    expect(notAnObject).toMatchObject({ messageId: '', body: '', attributes: { ApproximateReceiveCount: '1' } });
    expect(completeSqsRecord({ attributes: { ApproximateReceiveCount: 'often' } }).attributes.ApproximateReceiveCount).toBe('1');
    expect(sqsRecordsOf({ Records: [] })).toEqual([]);
  });

  it('dead-letter attributes of a completed record are all valid SQS values', () => {
    const attributes = deadLetterAttributes({ record: completeSqsRecord({}), jobId: undefined, error: permanentError('E_JOB_INVALID', 'no body'), now: new Date(0) });
    for (const value of Object.values(attributes)) expect(value.StringValue).toMatch(/.+/);
    expect(attributes.ReceiveCount?.StringValue).toBe('1');
  });
});
