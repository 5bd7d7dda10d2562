import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { permanentError, retryableError, type PipelineError } from '../errors';
import type { EmailJob } from './job';
import type { RenderedEmail } from './render';

const utf8 = (data: string) => ({ Data: data, Charset: 'UTF-8' });

// SES v2 error names: https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html#API_SendEmail_Errors
const PERMANENT_SES_ERRORS = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'BadRequestException',
  'NotFoundException',
  'AccountSuspendedException',
]);

export function classifySesError(error: unknown): PipelineError {
  const name = (error as { name?: string }).name ?? 'Error';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const message = `SES SendEmail failed: ${name}: ${(error as Error).message ?? String(error)}`;
  if (PERMANENT_SES_ERRORS.has(name)) return permanentError(`E_SES_${name}`, message, error);
  if (status !== undefined && status >= 400 && status < 500 && status !== 429 && name !== 'TooManyRequestsException' && name !== 'LimitExceededException' && name !== 'SendingPausedException') {
    return permanentError(`E_SES_${status}`, message, error);
  }
  return retryableError(`E_SES_${name}`, message, error);
}

export async function sendRenderedEmail(ses: SESv2Client, job: EmailJob, email: RenderedEmail): Promise<string> {
  try {
    const response = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: job.from,
        Destination: { ToAddresses: job.to },
        Content: {
          Simple: {
            Subject: utf8(email.subject),
            Body: {
              ...(email.html !== undefined ? { Html: utf8(email.html) } : {}),
              ...(email.text !== undefined ? { Text: utf8(email.text) } : {}),
            },
          },
        },
      }),
    );
    return response.MessageId ?? '';
  } catch (error) {
    throw classifySesError(error);
  }
}
