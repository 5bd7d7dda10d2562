import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { permanentError } from '../../shared/errors';
import { deadLetterAttributes } from '../../shared/mail/dead-letter';

const record = {
  messageId: 'm-1', receiptHandle: 'r', body: '{}', md5OfBody: '', eventSource: 'aws:sqs', awsRegion: 'eu-west-1',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:jobs', messageAttributes: {},
  attributes: { ApproximateReceiveCount: '3', SentTimestamp: '1', SenderId: 'x', ApproximateFirstReceiveTimestamp: '1' },
} satisfies SQSRecord;

describe('dead-letter attributes', () => {
  it('carry the reason, the source message and queue, the receive count, the time and the job id', () => {
    const attributes = deadLetterAttributes({ record, jobId: 'job-9', error: permanentError('E_SES_MessageRejected', 'rejected: unverified'), now: new Date('2026-12-03T10:00:00Z') });
    expect(Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, [v.DataType, v.StringValue]]))).toEqual({
      ErrorCode: ['String', 'E_SES_MessageRejected'],
      ErrorKind: ['String', 'permanent'],
      ErrorReason: ['String', 'rejected: unverified'],
      SourceMessageId: ['String', 'm-1'],
      SourceQueueArn: ['String', 'arn:aws:sqs:eu-west-1:123456789012:jobs'],
      ReceiveCount: ['Number', '3'],
      FailedAt: ['String', '2026-12-03T10:00:00.000Z'],
      JobId: ['String', 'job-9'],
    });
  });

  it('trims long reasons and omits the job id of a body that had none (SQS refuses empty values)', () => {
    const attributes = deadLetterAttributes({ record, jobId: undefined, error: permanentError('E_JOB_INVALID', 'x'.repeat(5000)), now: new Date() });
    expect(attributes.ErrorReason?.StringValue).toHaveLength(1024);
    expect(attributes.JobId).toBeUndefined();
  });
});
