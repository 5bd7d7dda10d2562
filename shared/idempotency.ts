/**
 * One mail per job id, however often SQS delivers the job or the app enqueues it.
 *
 * The claim is an S3 object `idempotency/<jobId>.json` created with `If-None-Match: *`, so exactly
 * one worker wins it. It holds a lease: a worker that dies between claim and send leaves a claim
 * that a later delivery may take over once the lease ran out, with `If-Match: <etag>` so that only
 * one of several late workers succeeds. After SES accepts the mail the claim becomes `sent` and
 * every later delivery is a no-op.
 *
 * The one gap no store can close: SES accepted the mail but its answer was lost (timeout, reset).
 * The claim is then released and a retry sends again; SES has no idempotency token to prevent that.
 *
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 */
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isConditionalConflict, isMissingObject, isPreconditionFailed } from './s3-io';
import { errorMessage, retryableError } from './errors';
import { idempotencyKey } from './keys';

export type ClaimState = 'claimed' | 'sent' | 'released';

export interface ClaimRecord {
  schemaVersion: 1;
  jobId: string;
  state: ClaimState;
  /** A fresh id per claim attempt: tells two workers (or two deliveries) apart. */
  owner: string;
  claimedAt: string;
  leaseUntil: string;
  /** The SQS message that made the claim. */
  messageId: string;
  sesMessageId?: string;
  sentAt?: string;
  releasedReason?: string;
  /** How many claims this job has had (1 = first try). */
  attempt: number;
}

export interface IdempotencyStore {
  s3: S3Client;
  bucket: string;
  leaseSeconds: number;
  now?: () => Date;
}

export interface Claim {
  key: string;
  etag: string;
  record: ClaimRecord;
}

export type ClaimResult =
  | { status: 'claimed'; claim: Claim; takenOver: boolean }
  | { status: 'already-sent'; record: ClaimRecord }
  /** Another worker holds a live lease: try again once it may have ended. */
  | { status: 'held'; record: ClaimRecord | undefined; retryAfterSeconds: number };


/** How often one `claimJob` call re-reads after losing a race, before it answers `held`. */
const CLAIM_ROUNDS = 3;

function parseRecord(text: string): ClaimRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<ClaimRecord>;
    return value.schemaVersion === 1 && typeof value.state === 'string' && typeof value.leaseUntil === 'string' ? (value as ClaimRecord) : undefined;
  } catch {
    return undefined;
  }
}

async function put(store: IdempotencyStore, key: string, record: ClaimRecord, condition: { IfNoneMatch: '*' } | { IfMatch: string } | object): Promise<string> {
  const response = await store.s3.send(
    new PutObjectCommand({
      Bucket: store.bucket,
      Key: key,
      Body: JSON.stringify(record),
      ContentType: 'application/json',
      ...condition,
    }),
  );
  return response.ETag ?? '';
}

async function read(store: IdempotencyStore, key: string): Promise<{ etag: string; record: ClaimRecord | undefined } | undefined> {
  try {
    const response = await store.s3.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
    const text = (await response.Body?.transformToString()) ?? '';
    return { etag: response.ETag ?? '', record: parseRecord(text) };
  } catch (error) {
    if (isMissingObject(error)) return undefined;
    throw error;
  }
}

export async function claimJob(store: IdempotencyStore, jobId: string, messageId: string): Promise<ClaimResult> {
  const key = idempotencyKey(jobId);
  const now = (store.now ?? (() => new Date()))();
  const fresh = (attempt: number): ClaimRecord => ({
    schemaVersion: 1,
    jobId,
    state: 'claimed',
    owner: randomUUID(),
    claimedAt: now.toISOString(),
    leaseUntil: new Date(now.getTime() + store.leaseSeconds * 1000).toISOString(),
    messageId,
    attempt,
  });
  let lastSeen: ClaimRecord | undefined;
  try {
    for (let round = 0; round < CLAIM_ROUNDS; round += 1) {
      const first = fresh(1);
      try {
        return { status: 'claimed', claim: { key, etag: await put(store, key, first, { IfNoneMatch: '*' }), record: first }, takenOver: false };
      } catch (error) {
        if (isConditionalConflict(error)) continue;
        if (!isPreconditionFailed(error)) throw error;
      }
      const existing = await read(store, key);
      if (existing === undefined) continue; // deleted in between: race for a fresh claim again
      lastSeen = existing.record;
      const record = existing.record;
      if (record?.state === 'sent') return { status: 'already-sent', record };
      const leaseLeft = record === undefined ? 0 : Date.parse(record.leaseUntil) - now.getTime();
      if (record?.state === 'claimed' && leaseLeft > 0) {
        return { status: 'held', record, retryAfterSeconds: Math.ceil(leaseLeft / 1000) };
      }
      // Released, expired or unreadable: take it over, but only if nobody changed it since we read it.
      const next = fresh((record?.attempt ?? 0) + 1);
      try {
        return { status: 'claimed', claim: { key, etag: await put(store, key, next, { IfMatch: existing.etag }), record: next }, takenOver: true };
      } catch (error) {
        if (!isPreconditionFailed(error) && !isConditionalConflict(error) && !isMissingObject(error)) throw error;
      }
    }
  } catch (error) {
    throw retryableError('E_IDEMPOTENCY_UNAVAILABLE', `Could not claim job ${jobId}: ${errorMessage(error)}`, error);
  }
  return { status: 'held', record: lastSeen, retryAfterSeconds: 1 };
}

/** After SES accepted the mail. Unconditional if our claim was taken over meanwhile: it *was* sent. */
export async function markSent(store: IdempotencyStore, claim: Claim, sesMessageId: string): Promise<void> {
  const now = (store.now ?? (() => new Date()))();
  const record: ClaimRecord = { ...claim.record, state: 'sent', sesMessageId, sentAt: now.toISOString() };
  try {
    await put(store, claim.key, record, { IfMatch: claim.etag });
  } catch (error) {
    if (!isPreconditionFailed(error) && !isMissingObject(error)) throw error;
    await put(store, claim.key, record, {});
  }
}

/** The mail was not sent (SES refused or failed): let the next delivery claim at once. */
export async function releaseClaim(store: IdempotencyStore, claim: Claim, reason: string): Promise<void> {
  const record: ClaimRecord = { ...claim.record, state: 'released', releasedReason: reason.slice(0, 500) };
  try {
    await put(store, claim.key, record, { IfMatch: claim.etag });
  } catch (error) {
    // Someone took it over already, or S3 failed: the lease runs out on its own either way.
    if (!isPreconditionFailed(error) && !isConditionalConflict(error) && !isMissingObject(error)) throw error;
  }
}
