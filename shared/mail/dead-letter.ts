/**
 * Permanent failures go to the DLQ at once, with the reason in message attributes, instead of
 * burning maxReceiveCount retries that cannot succeed. The original body is kept verbatim so a
 * fixed job can be redriven as it was.
 */
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { PipelineError } from '../errors';

export interface DeadLetterContext {
  record: SQSRecord;
  jobId: string | undefined;
  error: PipelineError;
  now: Date;
}

/** SQS refuses an empty body; a record that had none (a hand-made event) is kept as this. */
export const MISSING_BODY = '(no body)';

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value === '' ? '-' : value });

/** The attributes an operator filters the DLQ by; values are trimmed to stay far below SQS limits. */
export function deadLetterAttributes(context: DeadLetterContext): Record<string, MessageAttributeValue> {
  const { record, jobId, error, now } = context;
  return {
    ErrorCode: text(error.code),
    ErrorKind: text(error.kind),
    ErrorReason: text(error.message.slice(0, 1024)),
    SourceMessageId: text(record.messageId ?? ''),
    SourceQueueArn: text(record.eventSourceARN ?? ''),
    ReceiveCount: { DataType: 'Number', StringValue: record.attributes?.ApproximateReceiveCount || '1' },
    FailedAt: text(now.toISOString()),
    ...(jobId !== undefined ? { JobId: text(jobId.slice(0, 256)) } : {}),
  };
}

export async function sendToDeadLetterQueue(sqs: SQSClient, dlqUrl: string, context: DeadLetterContext): Promise<string> {
  const response = await sqs.send(
    new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: context.record.body || MISSING_BODY, MessageAttributes: deadLetterAttributes(context) }),
  );
  return response.MessageId ?? '';
}
