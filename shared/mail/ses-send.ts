/** SES v2 SendEmail and the one place that decides which SES failures are worth retrying. */
import { SendEmailCommand, type SendEmailCommandInput, type SendEmailCommandOutput, type SESv2Client } from '@aws-sdk/client-sesv2';
import { errorMessage, httpStatusOf, permanentError, type PipelineError, retryableError } from '../errors';

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
// Credentials and authorization: the deployment's fault (IAM policy, expired or unknown keys, clock
// skew), not the mail's. Every job would fail the same way, so they stay queued while an operator
// fixes IAM, instead of all going to the DLQ. Any 401/403 counts too.
const ACCESS_SES_ERRORS = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'ExpiredTokenException',
  'ExpiredToken',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'RequestExpired',
  'NotAuthorized',
]);

export function classifySesError(error: unknown): PipelineError {
  const name = (error as { name?: string }).name ?? 'Error';
  const status = httpStatusOf(error);
  const message = `SES SendEmail failed: ${name}${status === undefined ? '' : ` (HTTP ${status})`}: ${errorMessage(error)}`;
  if (PERMANENT_SES_ERRORS.has(name)) return permanentError(`E_SES_${name}`, message, error);
  if (RETRYABLE_SES_ERRORS.has(name) || status === 429) return retryableError(`E_SES_${name}`, message, error);
  if (ACCESS_SES_ERRORS.has(name) || status === 401 || status === 403) {
    return retryableError('E_SES_ACCESS', `${message} (credentials or IAM: the job stays queued until ses:SendEmail is allowed)`, error);
  }
  // Another 4xx is a request SES will never take (bad parameter); 5xx and no status are transient.
  if (status !== undefined && status >= 400 && status < 500) return permanentError(`E_SES_${status}`, message, error);
  return retryableError(`E_SES_${status ?? name}`, message, error);
}

/** Sends; returns the SES message id or throws a classified PipelineError. */
export async function sendEmail(ses: SESv2Client, input: SendEmailCommandInput): Promise<string> {
  let response: SendEmailCommandOutput;
  try {
    response = await ses.send(new SendEmailCommand(input));
  } catch (error) {
    throw classifySesError(error);
  }
  // Real SES always answers with an id. Without one we cannot tell whether the mail went out, so no
  // automatic retry (it could send twice): the job goes to the DLQ for an operator to check.
  if (response.MessageId === undefined || response.MessageId === '') {
    throw permanentError('E_SES_NO_MESSAGE_ID', 'SES SendEmail answered without a MessageId: the mail may or may not have been sent.');
  }
  return response.MessageId;
}
