/**
 * How avatars reach readers, read from env by `loadSendConfig` (shared/config.ts):
 *   DELIVERY_MODE                      public (default) | cloudfront | cloudfront-signed
 *   AVATAR_BASE_URL                    base URL of avatars/* (https required for CloudFront modes)
 *   CLOUDFRONT_KEY_PAIR_ID             cloudfront-signed: the CloudFront public key id
 *   CLOUDFRONT_PRIVATE_KEY_PARAMETER   cloudfront-signed: SSM SecureString name holding the PEM
 *   SIGNED_URL_EXPIRY_YEARS            cloudfront-signed: lifetime of each signed URL (default 10)
 */
import type { EnvReader } from '../env-reader';
import { DELIVERY_MODES } from './strategy';

export type DeliveryConfig =
  | { mode: 'public'; baseUrl: string }
  | { mode: 'cloudfront'; baseUrl: string }
  | { mode: 'cloudfront-signed'; baseUrl: string; keyPairId: string; privateKeyParameter: string; expiryYears: number };

export const DEFAULT_SIGNED_URL_EXPIRY_YEARS = 10;
/** Far enough for any mailbox; stays clear of year-9999 date handling in clients and proxies. */
export const MAX_SIGNED_URL_EXPIRY_YEARS = 100;

export function readDeliveryConfig(reader: EnvReader, baseUrl: string): DeliveryConfig {
  const mode = reader.oneOf('DELIVERY_MODE', DELIVERY_MODES, 'public');
  const requireHttps = (): void => {
    if (baseUrl !== '' && !baseUrl.startsWith('https://')) {
      reader.addProblem(`AVATAR_BASE_URL=${JSON.stringify(baseUrl)} is invalid: DELIVERY_MODE=${mode} serves HTTPS only`);
    }
  };
  switch (mode) {
    case 'public':
      return { mode, baseUrl };
    case 'cloudfront':
      requireHttps();
      return { mode, baseUrl };
    case 'cloudfront-signed': {
      requireHttps();
      const keyPairId = reader.required('CLOUDFRONT_KEY_PAIR_ID', 'id of the CloudFront public key that signs avatar URLs');
      const privateKeyParameter = reader.required(
        'CLOUDFRONT_PRIVATE_KEY_PARAMETER',
        'SSM SecureString parameter holding the PEM private key',
      );
      if (privateKeyParameter !== '' && !privateKeyParameter.startsWith('/')) {
        reader.addProblem(`CLOUDFRONT_PRIVATE_KEY_PARAMETER=${JSON.stringify(privateKeyParameter)} is invalid: expected a path starting with /`);
      }
      const expiryYears = reader.int('SIGNED_URL_EXPIRY_YEARS', DEFAULT_SIGNED_URL_EXPIRY_YEARS, 1, MAX_SIGNED_URL_EXPIRY_YEARS);
      return { mode, baseUrl, keyPairId, privateKeyParameter, expiryYears };
    }
    default: {
      const unreachable: never = mode;
      throw new Error(`unknown delivery mode ${JSON.stringify(unreachable)}`);
    }
  }
}
