/** deliveryMode=cloudfront: `https://<distribution or custom domain>/avatars/...`, no query string. */
import { permanentUrl } from './public-url';
import type { AvatarUrlStrategy } from './strategy';

export function cloudfrontUrlStrategy(baseUrl: string): AvatarUrlStrategy {
  return { mode: 'cloudfront', urlFor: (key) => permanentUrl(baseUrl, key) };
}
