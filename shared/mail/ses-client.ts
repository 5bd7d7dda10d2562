/**
 * The SES client the send function uses. One attempt by default: the queue retries with a growing
 * backoff, and the SDK must not resend a mail whose answer was merely slow. The request timeout
 * must *throw* (this SDK only warns by default), or a hung SES call would hold the batch until
 * the Lambda timeout.
 */
import { SESv2Client, type SESv2ClientConfig } from '@aws-sdk/client-sesv2';

export interface SesClientOptions {
  sesMaxAttempts: number;
  sesTimeoutMs: number;
}

export function createSesClient(options: SesClientOptions, extra: SESv2ClientConfig = {}): SESv2Client {
  return new SESv2Client({
    maxAttempts: options.sesMaxAttempts,
    requestHandler: { requestTimeout: options.sesTimeoutMs, connectionTimeout: 3000, throwOnRequestTimeout: true },
    ...extra,
  });
}
