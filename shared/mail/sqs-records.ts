/**
 * The edge between Lambda's event and the send core. A real SQS event always has `Records` with
 * every field; a hand-made one (a console test, a direct invoke) may not. An event without a
 * `Records` array is refused as a whole (E_EVENT); a record missing fields is completed with
 * neutral values so it is handled on its own (a missing body is an invalid job) and never
 * crashes the batch.
 */
import type { SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { permanentError } from '../errors';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringOr = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);

function describe(event: unknown): string {
  if (Array.isArray(event)) return 'an array';
  if (isObject(event)) return `an object with ${Object.keys(event).length === 0 ? 'no fields' : `fields ${Object.keys(event).slice(0, 5).join(', ')}`}`;
  return event === null ? 'null' : typeof event;
}

function recordAttributes(value: unknown): SQSRecordAttributes {
  const raw = isObject(value) ? value : {};
  const extra = Object.fromEntries(Object.entries(raw).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const receiveCount = Number(raw.ApproximateReceiveCount);
  return {
    ...extra,
    // SQS counts from 1; a missing or unreadable count is the first delivery.
    ApproximateReceiveCount: Number.isInteger(receiveCount) && receiveCount > 0 ? String(receiveCount) : '1',
    SentTimestamp: stringOr(raw.SentTimestamp, ''),
    SenderId: stringOr(raw.SenderId, ''),
    ApproximateFirstReceiveTimestamp: stringOr(raw.ApproximateFirstReceiveTimestamp, ''),
  };
}

/** One record with every field the core reads; `body` is '' when there was none (SQS bodies are never empty). */
export function completeSqsRecord(value: unknown): SQSRecord {
  const raw = isObject(value) ? value : {};
  return {
    messageId: stringOr(raw.messageId, ''),
    receiptHandle: stringOr(raw.receiptHandle, ''),
    body: stringOr(raw.body, ''),
    attributes: recordAttributes(raw.attributes),
    messageAttributes: isObject(raw.messageAttributes) ? (raw.messageAttributes as SQSMessageAttributes) : {},
    md5OfBody: stringOr(raw.md5OfBody, ''),
    eventSource: stringOr(raw.eventSource, 'aws:sqs'),
    eventSourceARN: stringOr(raw.eventSourceARN, ''),
    awsRegion: stringOr(raw.awsRegion, ''),
  };
}

/** The records of an SQS event, completed; anything without a `Records` array is a permanent E_EVENT. */
export function sqsRecordsOf(event: unknown): SQSEvent['Records'] {
  const records = isObject(event) ? event.Records : undefined;
  if (!Array.isArray(records)) {
    throw permanentError('E_EVENT', `Expected an SQS event {"Records": [...]}, got ${describe(event)}.`);
  }
  return records.map(completeSqsRecord);
}
