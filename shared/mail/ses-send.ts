/** SES v2 SendEmail and the one place that decides which SES failures are worth retrying. */
import { SendEmailCommand, type SendEmailCommandInput, type SESv2Client } from '@aws-sdk/client-sesv2';
import { errorMessage, permanentError, type PipelineError, retryableError } from '../errors';

// https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html#API_SendEmail_Errors
// Permanent: SES will refuse this message again. Anything else (throttling, paused sending, 5xx,
// timeouts, resets, unknown) is retryable: losing a mail is worse than trying once more.
const PERMANENT_SES_ERRORS = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'BadRequestException',
  'NotFoundException',
  'AccountSuspendedException',
]);
const RETRYABLE_SES_ERRORS = new Set(['TooManyRequestsException', 'LimitExceededException', 'SendingPausedException', 'ThrottlingException']);

export function classifySesError(error: unknown): PipelineError {
  const name = (error as { name?: string }).name ?? 'Error';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const message = `SES SendEmail failed: ${name}${status === undefined ? '' : ` (HTTP ${status})`}: ${errorMessage(error)}`;
  if (PERMANENT_SES_ERRORS.has(name)) return permanentError(`E_SES_${name}`, message, error);
  if (RETRYABLE_SES_ERRORS.has(name) || status === 429) return retryableError(`E_SES_${name}`, message, error);
  // Another 4xx is a request SES will never take (bad parameter); 5xx and no status are transient.
  if (status !== undefined && status >= 400 && status < 500) return permanentError(`E_SES_${status}`, message, error);
  return retryableError(`E_SES_${status ?? name}`, message, error);
}

/** Sends; returns the SES message id or throws a classified PipelineError. */
export async function sendEmail(ses: SESv2Client, input: SendEmailCommandInput): Promise<string> {
  try {
    const response = await ses.send(new SendEmailCommand(input));
    return response.MessageId ?? '';
  } catch (error) {
    throw classifySesError(error);
  }
}
