/**
 * Test helpers for CloudFront signatures: a throwaway RSA 2048 key pair per run (never a committed
 * key) and an independent verifier built on node:crypto only, so the tests do not trust the signer.
 */
import { createVerify, generateKeyPairSync } from 'node:crypto';

export function throwawayKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/** CloudFront's URL-safe base64: `+`->`-`, `=`->`_`, `/`->`~`. */
export function cloudfrontBase64Decode(value: string): Buffer {
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
}

/** The canned policy CloudFront rebuilds from a signed URL's resource and `Expires`. */
export function cannedPolicy(resource: string, expiresEpoch: number): string {
  return JSON.stringify({ Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': expiresEpoch } } }] });
}

export function verifySha1Rsa(policy: string, signature: Buffer, publicKey: string): boolean {
  return createVerify('RSA-SHA1').update(policy).verify(publicKey, signature);
}

/** Verifies a canned-policy signed URL the way CloudFront does: true only when untampered. */
export function verifySignedUrl(signedUrl: string, publicKey: string): boolean {
  const url = new URL(signedUrl);
  const expires = url.searchParams.get('Expires');
  const signature = url.searchParams.get('Signature');
  if (expires === null || signature === null || url.searchParams.get('Key-Pair-Id') === null) return false;
  const resource = `${url.origin}${url.pathname}`;
  return verifySha1Rsa(cannedPolicy(resource, Number(expires)), cloudfrontBase64Decode(signature), publicKey);
}
