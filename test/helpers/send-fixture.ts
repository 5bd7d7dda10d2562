/** What the send-* integration tests share: a published user avatar, the default avatar, config. */
import { readFile } from 'node:fs/promises';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { createSesClient } from '../../shared/mail/ses-client';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { processS3Event } from '../../shared/avatar/process-s3-event';
import { loadNormalizeConfig, loadSendConfig, type SendConfig } from '../../shared/config';
import { createMemoryLogger } from '../../shared/log';
import { publishDefaultAvatar } from '../../shared/mail/default-avatar';
import type { LocalStack } from '../../dev/stack';

export const SECRET = 'integration-test-secret-0123456789';
const PHOTO = new URL('../fixtures/real_gps_sony_nex3n_small.jpg', import.meta.url);

/** Uploads the fixture photo for `userId` and runs the normalize core on its S3 event. */
export async function publishAvatarFor(stack: LocalStack, s3: S3Client, userId: string, file = 'me.jpg'): Promise<string> {
  const key = `uploads/${userId}/${file}`;
  await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: await readFile(PHOTO) }));
  const event = await stack.waitForS3Event((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')) === key);
  const { logger } = createMemoryLogger();
  const result = await processS3Event({ s3, config: loadNormalizeConfig({ PUBLIC_ID_SECRET: SECRET }), log: logger }, event);
  if (result.outcomes[0]?.status !== 'published') throw new Error(`not published: ${JSON.stringify(result.outcomes)}`);
  return key;
}

export async function sendFixture(stack: LocalStack, s3: S3Client, env: Record<string, string> = {}): Promise<SendConfig> {
  await publishDefaultAvatar(s3, stack.bucket);
  return loadSendConfig({
    ...stack.env,
    AVATAR_BUCKET: stack.bucket,
    AVATAR_BASE_URL: stack.endpoints.edge,
    PUBLIC_ID_SECRET: SECRET,
    DLQ_URL: stack.dlqUrl,
    MAX_SEND_RATE: '100',
    SEND_INSTANCES: '1',
    RETRY_BASE_SECONDS: '1',
    RETRY_MAX_SECONDS: '2',
    ...env,
  });
}

/** An SES client like the handler's (one attempt, short timeout), pointed at `endpoint`. */
export const sesClientFor = (endpoint: string, sesTimeoutMs = 800): SESv2Client => createSesClient({ sesMaxAttempts: 1, sesTimeoutMs }, { endpoint });

export interface DeadLetter {
  body: string;
  attributes: Record<string, string>;
}

/** Reads (and deletes nothing from) the DLQ: every message with its string attributes. */
export async function readDeadLetters(sqs: SQSClient, dlqUrl: string): Promise<DeadLetter[]> {
  const all: DeadLetter[] = [];
  for (let round = 0; round < 5; round += 1) {
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30, MessageAttributeNames: ['All'] }));
    const messages = received.Messages ?? [];
    if (messages.length === 0) break;
    for (const m of messages) {
      all.push({ body: m.Body ?? '', attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ''])) });
    }
  }
  return all;
}
