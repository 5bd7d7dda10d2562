/**
 * Starts the embedded local stack for one test file (ephemeral ports) and points the AWS SDK at it
 * through the standard AWS_ENDPOINT_URL_* variables, exactly as a deployed function is configured.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll } from 'vitest';
import { type LocalStack, startLocalStack } from '../../dev/stack';

export interface StackHandle {
  stack: LocalStack;
  s3: S3Client;
  sqs: SQSClient;
  ses: SESv2Client;
}

export function useLocalStack(): () => StackHandle {
  let handle: StackHandle | undefined;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    const stack = await startLocalStack();
    for (const [name, value] of Object.entries(stack.env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    // Clients built after the env is set: no endpoint option, just like the handlers.
    handle = { stack, s3: new S3Client({}), sqs: new SQSClient({}), ses: new SESv2Client({}) };
  });
  afterAll(async () => {
    if (handle === undefined) return;
    handle.s3.destroy();
    handle.sqs.destroy();
    handle.ses.destroy();
    await handle.stack.stop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  return () => {
    if (handle === undefined) throw new Error('local stack not started (call useLocalStack() at the top of the file)');
    return handle;
  };
}

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  at: number;
}

export async function sesStore(stack: LocalStack): Promise<StoredEmail[]> {
  const response = await fetch(`${stack.endpoints.ses}/store`);
  return ((await response.json()) as { emails: StoredEmail[] }).emails;
}
