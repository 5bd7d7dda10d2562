/**
 * The send function's AvatarUrlStrategy, built once per container: only cloudfront-signed creates
 * an SSM client and fetches the private key. A failed build is not kept, so the next batch retries.
 *
 *   const urls = await avatarUrlStrategyForLambda(config.delivery);   // in the handler
 *   urls.urlFor('avatars/<publicId>/<hash>/96.jpg')
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import type { DeliveryConfig } from './delivery-config';
import { createSigningKeyLoader } from './signing-key';
import type { AvatarUrlStrategy } from './strategy';
import { createAvatarUrlStrategy } from './strategy-from-config';

let built: AvatarUrlStrategy | undefined;

export async function avatarUrlStrategyForLambda(delivery: DeliveryConfig): Promise<AvatarUrlStrategy> {
  if (built !== undefined) return built;
  const loadSigningKey =
    delivery.mode === 'cloudfront-signed' ? createSigningKeyLoader(new SSMClient({}), delivery.privateKeyParameter) : undefined;
  built = await createAvatarUrlStrategy(delivery, loadSigningKey === undefined ? {} : { loadSigningKey });
  return built;
}
