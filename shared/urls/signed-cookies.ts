/**
 * CloudFront signed cookies for the WEB APP (cloudfront-signed mode): after login, the app sets these
 * cookies so the browser may fetch any `/avatars/*` URL of the distribution without per-URL signatures.
 *
 * Unsuitable for email, on purpose:
 * - a mail's images are fetched by whoever renders the mail: Gmail's image proxy, Apple Mail Privacy
 *   Protection relays, Outlook on the reader's machine. None of them carries cookies of your domain,
 *   so every avatar would be a 403;
 * - cookies expire (the policy's lifetime and the browser's), a mail is opened years later.
 * Mail gets signed URLs instead (cloudfront-signed-url.ts): the signature travels inside the URL.
 */
import { getSignedCookies } from '@aws-sdk/cloudfront-signer';
import { AVATARS_PREFIX } from '../keys';

export interface SignedCookieOptions {
  /** `https://<distribution or custom domain>/`. */
  baseUrl: string;
  keyPairId: string;
  privateKey: string;
  /** Lifetime of the cookies; keep it close to the app's session length. */
  validForSeconds: number;
  /**
   * Cookie `Domain`: the parent domain shared by the app and the avatar domain (`example.com` for
   * `app.example.com` + `avatars.example.com`). Absent: host-only cookies for the avatar domain.
   */
  cookieDomain?: string;
  now?: () => Date;
}

export interface SignedCookies {
  /** Name -> value, for frameworks that set cookies from a map. */
  values: Record<'CloudFront-Policy' | 'CloudFront-Signature' | 'CloudFront-Key-Pair-Id', string>;
  /** Ready `Set-Cookie` header values. */
  setCookieHeaders: string[];
  expiresAt: Date;
}

/** A custom policy on `https://<domain>/avatars/*` (wildcards need a custom policy, not a canned one). */
export function avatarCookiePolicy(baseUrl: string, expiresAt: Date): string {
  return JSON.stringify({
    Statement: [
      {
        Resource: `${baseUrl}${AVATARS_PREFIX}*`,
        Condition: { DateLessThan: { 'AWS:EpochTime': Math.floor(expiresAt.getTime() / 1000) } },
      },
    ],
  });
}

export function avatarSignedCookies(options: SignedCookieOptions): SignedCookies {
  if (!Number.isInteger(options.validForSeconds) || options.validForSeconds <= 0) {
    throw new RangeError(`validForSeconds must be a positive integer, got ${options.validForSeconds}`);
  }
  const now = (options.now ?? (() => new Date()))();
  const expiresAt = new Date(now.getTime() + options.validForSeconds * 1000);
  const signed = getSignedCookies({
    policy: avatarCookiePolicy(options.baseUrl, expiresAt),
    keyPairId: options.keyPairId,
    privateKey: options.privateKey,
  });
  const values = {
    'CloudFront-Policy': signed['CloudFront-Policy'] ?? '',
    'CloudFront-Signature': signed['CloudFront-Signature'],
    'CloudFront-Key-Pair-Id': signed['CloudFront-Key-Pair-Id'],
  };
  const attributes = [
    `Path=/${AVATARS_PREFIX}`,
    `Expires=${expiresAt.toUTCString()}`,
    ...(options.cookieDomain === undefined ? [] : [`Domain=${options.cookieDomain}`]),
    'Secure',
    'HttpOnly',
    // The avatar domain is another site than the app only with an unrelated domain; Lax covers subdomains.
    'SameSite=Lax',
  ].join('; ');
  return {
    values,
    setCookieHeaders: Object.entries(values).map(([name, value]) => `${name}=${value}; ${attributes}`),
    expiresAt,
  };
}
