/**
 * The CloudFront private key, read at run time from SSM Parameter Store (SecureString) and cached
 * for the life of the container. It never comes from plain env, and neither the key nor any part of
 * it is ever put into a log line or an error message.
 */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { errorMessage, permanentError, retryableError } from '../errors';

export type SigningKeyLoader = () => Promise<string>;

/** SSM errors that retrying cannot fix: the deployment is wrong (name, permissions, key). */
const PERMANENT_SSM_ERRORS = new Set(['ParameterNotFound', 'ParameterVersionNotFound', 'AccessDeniedException', 'InvalidKeyId']);

function looksLikePrivateKeyPem(value: string): boolean {
  return /^-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----/.test(value.trim());
}

export function createSigningKeyLoader(ssm: SSMClient, parameterName: string): SigningKeyLoader {
  let cached: Promise<string> | undefined;
  const load = async (): Promise<string> => {
    let value: string | undefined;
    try {
      const response = await ssm.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
      value = response.Parameter?.Value;
    } catch (thrown) {
      const name = thrown instanceof Error ? thrown.name : '';
      const make = PERMANENT_SSM_ERRORS.has(name) ? permanentError : retryableError;
      throw make('E_SIGNING_KEY', `Cannot read the CloudFront signing key parameter ${parameterName}: ${name || errorMessage(thrown)}`);
    }
    if (value === undefined || !looksLikePrivateKeyPem(value)) {
      throw permanentError('E_SIGNING_KEY', `Parameter ${parameterName} does not hold a PEM private key (value not shown)`);
    }
    return value;
  };
  return () => {
    // A failed load is not cached: the next record tries again (a passing throttle must not stick).
    cached ??= load().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}
