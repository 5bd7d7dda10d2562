/**
 * The producer side: what an app calls to queue a mail. Validates the job with the same rules the
 * sender applies, so a bad job fails in the app (with every problem listed), not later in the DLQ.
 *
 * @example
 * import { SQSClient } from '@aws-sdk/client-sqs';
 * import { enqueueEmail } from 'evergreen-avatars/shared/mail/enqueue';
 * const sqs = new SQSClient({});
 * await enqueueEmail(sqs, process.env.EMAIL_QUEUE_URL!, {
 *   id: `comment-${commentId}-${readerId}`,
 *   from: 'Acme <noreply@acme.example>',
 *   to: 'reader@example.com',
 *   subject: '{{author}} commented on your post',
 *   html: '<img src="{{avatar:u42:96}}" width="48" height="48" alt=""> {{author}} wrote...',
 *   data: { author: 'Zoë' },
 * });
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { EMAIL_JOB_VERSION, type EmailJobInput, validateEmailJob } from './job';

/** SQS refuses larger messages (1 MiB since 2025; 256 KiB on older queues: set maxBytes). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export class InvalidEmailJobError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid email job:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidEmailJobError';
  }
}

export interface EnqueueOptions {
  /** Delay before the job becomes visible (0-900 s). */
  delaySeconds?: number;
  /** FIFO queues: the group; the job id is the deduplication id. */
  messageGroupId?: string;
  maxBytes?: number;
}

export interface Enqueued {
  messageId: string;
  jobId: string;
  bytes: number;
}

/** The message body for a job: validated, versioned. Throws InvalidEmailJobError. */
export function emailJobBody(job: EmailJobInput, maxBytes = MAX_MESSAGE_BYTES): string {
  const versioned = { version: EMAIL_JOB_VERSION, ...job };
  const result = validateEmailJob(versioned);
  if (!result.ok) throw new InvalidEmailJobError(result.problems);
  const body = JSON.stringify(versioned);
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > maxBytes) throw new InvalidEmailJobError([`job: ${bytes} bytes as JSON, the queue takes at most ${maxBytes}`]);
  return body;
}

export async function enqueueEmail(sqs: SQSClient, queueUrl: string, job: EmailJobInput, options: EnqueueOptions = {}): Promise<Enqueued> {
  const body = emailJobBody(job, options.maxBytes);
  const response = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      ...(options.delaySeconds !== undefined ? { DelaySeconds: options.delaySeconds } : {}),
      ...(options.messageGroupId !== undefined ? { MessageGroupId: options.messageGroupId, MessageDeduplicationId: job.id } : {}),
    }),
  );
  return { messageId: response.MessageId ?? '', jobId: job.id, bytes: Buffer.byteLength(body, 'utf8') };
}
