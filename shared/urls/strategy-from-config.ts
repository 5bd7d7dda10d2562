/**
 * Delivery config -> the one AvatarUrlStrategy of this deployment. Only cloudfront-signed needs I/O
 * (the private key), so building is async; call it once per cold start (or per batch, it caches).
 */
import type { DeliveryConfig } from './delivery-config';
import { cloudfrontSignedUrlStrategy } from './cloudfront-signed-url';
import { cloudfrontUrlStrategy } from './cloudfront-url';
import { publicUrlStrategy } from './public-url';
import type { SigningKeyLoader } from './signing-key';
import type { AvatarUrlStrategy } from './strategy';

export interface StrategyDeps {
  /** Needed for cloudfront-signed only; e.g. `createSigningKeyLoader(new SSMClient({}), parameter)`. */
  loadSigningKey?: SigningKeyLoader;
  now?: () => Date;
}

export async function createAvatarUrlStrategy(config: DeliveryConfig, deps: StrategyDeps = {}): Promise<AvatarUrlStrategy> {
  switch (config.mode) {
    case 'public':
      return publicUrlStrategy(config.baseUrl);
    case 'cloudfront':
      return cloudfrontUrlStrategy(config.baseUrl);
    case 'cloudfront-signed': {
      if (deps.loadSigningKey === undefined) throw new Error('cloudfront-signed delivery needs a signing key loader');
      const privateKey = await deps.loadSigningKey();
      return cloudfrontSignedUrlStrategy({
        baseUrl: config.baseUrl,
        keyPairId: config.keyPairId,
        privateKey,
        expiryYears: config.expiryYears,
        ...(deps.now === undefined ? {} : { now: deps.now }),
      });
    }
    default: {
      const unreachable: never = config;
      throw new Error(`unknown delivery mode ${JSON.stringify(unreachable)}`);
    }
  }
}
