/**
 * Typed configuration, parsed once per cold start. Every bad variable is reported in one error.
 */
import { DEFAULT_NORMALIZE_OPTIONS, type NormalizeOptions } from './image/options';
import { isPublicAvatarKey, type PublicIdScheme } from './keys';
import { type Env, EnvReader } from './env-reader';
import { DEFAULT_AVATAR_KEY } from './mail/default-avatar-key';

/** How many superseded versions stay published: every one, or the newest N (older ones are deleted). */
export type RetentionPolicy = { mode: 'all' } | { mode: 'newest'; count: number };
import { type DeliveryConfig, readDeliveryConfig } from './urls/delivery-config';

export interface NormalizeConfig {
  publicId: PublicIdScheme;
  image: NormalizeOptions;
  retention: RetentionPolicy;
  /** When set, erasing a user also invalidates `/avatars/<publicId>/*` on this distribution. */
  cloudFrontDistributionId: string | undefined;
  /** The deployment's bucket (AVATAR_BUCKET): direct erase-user jobs may name only this one. */
  avatarBucket: string | undefined;
}

export interface SendConfig {
  avatarBucket: string;
  /** Where `avatars/...` keys are served from, ending in `/`. */
  avatarBaseUrl: string;
  publicId: PublicIdScheme;
  /** Variant size used by `{{avatar:<userId>}}` without an explicit size. */
  defaultAvatarSize: number;
  /** Key (under avatarBaseUrl) of the avatar for users without one; see shared/mail/default-avatar.ts. */
  defaultAvatarKey: string;
  /** An absolute URL that replaces the published default avatar, when set. */
  defaultAvatarUrl: string | undefined;
  /** Non-AWS S3 endpoint hosts whose pre-signed URLs are rewritten too (plus the AWS_ENDPOINT_URL_S3 host). */
  presignedUrlHosts: string[];
  /** Bucket of the `idempotency/` claims (the avatar bucket unless set). */
  idempotencyBucket: string;
  /** A claim's lease: above the function timeout, below the queue's visibility timeout. */
  idempotencyLeaseSeconds: number;
  /** Sends in flight at once per function instance. */
  sendConcurrency: number;
  /** Account-wide messages per second; asked from SES GetAccount when unset. */
  maxSendRate: number | undefined;
  /** Function instances sharing the rate: the SQS event source's maximumConcurrency. */
  sendInstances: number;
  /** Where permanent failures go at once; without it they are left to the queue's redrive policy. */
  dlqUrl: string | undefined;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  sesTimeoutMs: number;
  /** SDK attempts per SendEmail; 1 leaves retries to the queue (with its growing backoff). */
  sesMaxAttempts: number;
  /** Endpoint override for SQS (local stack), used to turn an event's queue ARN into its URL. */
  sqsEndpoint: string | undefined;
  /** SES configuration set for jobs that name none (SES_CONFIGURATION_SET; the stack creates one). */
  defaultConfigurationSet: string | undefined;
  /** How readers reach avatars/* (shared/urls): build the AvatarUrlStrategy from this. */
  delivery: DeliveryConfig;
}

function readPublicIdScheme(reader: EnvReader): PublicIdScheme {
  const modes = ['hmac', 'plain'] as const;
  const raw = reader.optional('PUBLIC_ID_MODE');
  const mode = reader.oneOf('PUBLIC_ID_MODE', modes, 'hmac');
  // An invalid mode is already reported; asking for its secret too would only add noise.
  if (raw !== undefined && !modes.some((m) => m === raw)) return { mode: 'plain' };
  switch (mode) {
    case 'hmac': {
      const secret = reader.required('PUBLIC_ID_SECRET', 'HMAC key that turns user ids into unguessable public ids');
      if (secret !== '' && secret.length < 16) reader.addProblem('PUBLIC_ID_SECRET must be at least 16 characters');
      return { mode, secret };
    }
    case 'plain':
      return { mode };
  }
}

function readHexColour(reader: EnvReader, name: string, fallback: string): string {
  const value = reader.string(name, fallback);
  if (/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(value)) return value;
  reader.addProblem(`${name}=${JSON.stringify(value)} is invalid: expected a hex colour such as #ffffff`);
  return fallback;
}

/** RETAIN_VERSIONS: `all` (default: old mails keep their avatar forever) or how many superseded versions to keep. */
function readRetention(reader: EnvReader): RetentionPolicy {
  const raw = reader.optional('RETAIN_VERSIONS');
  if (raw === undefined || raw === 'all') return { mode: 'all' };
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 0 || count > 1000) {
    reader.addProblem(`RETAIN_VERSIONS=${JSON.stringify(raw)} is invalid: expected all or an integer from 0 to 1000`);
    return { mode: 'all' };
  }
  return { mode: 'newest', count };
}

function readImageOptions(reader: EnvReader): NormalizeOptions {
  const d = DEFAULT_NORMALIZE_OPTIONS;
  return {
    sizes: reader.intList('AVATAR_SIZES', d.sizes, 16, 2048),
    jpegQuality: reader.int('JPEG_QUALITY', d.jpegQuality, 1, 100),
    maxInputBytes: reader.int('MAX_INPUT_BYTES', d.maxInputBytes, 1, 200 * 1024 * 1024),
    maxInputPixels: reader.int('MAX_INPUT_PIXELS', d.maxInputPixels, 1, 268_402_689),
    minSide: reader.int('MIN_INPUT_SIDE', d.minSide, 1, 4096),
    background: readHexColour(reader, 'FLATTEN_BACKGROUND', d.background),
    cropPosition: reader.oneOf('CROP_POSITION', ['centre', 'attention'] as const, d.cropPosition),
    maxUpscale: reader.number('MAX_UPSCALE', d.maxUpscale, 1, 64),
  };
}

/** Only the image options (the CLI needs no public id secret). */
export function loadImageOptions(env: Env): NormalizeOptions {
  const reader = new EnvReader(env);
  const options = readImageOptions(reader);
  reader.finish();
  return options;
}

function optionalUrl(reader: EnvReader, name: string): string | undefined {
  const value = reader.optional(name);
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.href;
  } catch {
    // reported below
  }
  reader.addProblem(`${name}=${JSON.stringify(value)} is invalid: expected an absolute http(s) URL`);
  return undefined;
}

/** PRESIGNED_URL_HOSTS (comma-separated host[:port]) plus the host of a configured S3 endpoint. */
function presignedUrlHosts(reader: EnvReader, env: Env): string[] {
  const hosts = (reader.optional('PRESIGNED_URL_HOSTS') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  for (const host of hosts) {
    if (!/^[a-z0-9.-]+(?::\d+)?$/.test(host)) reader.addProblem(`PRESIGNED_URL_HOSTS entry ${JSON.stringify(host)} is invalid: expected host or host:port`);
  }
  const endpoint = env.AWS_ENDPOINT_URL_S3?.trim() || env.AWS_ENDPOINT_URL?.trim();
  if (endpoint) {
    try {
      hosts.push(new URL(endpoint).host.toLowerCase());
    } catch {
      reader.addProblem(`AWS_ENDPOINT_URL_S3=${JSON.stringify(endpoint)} is invalid: expected an absolute URL`);
    }
  }
  return [...new Set(hosts)];
}

export function loadNormalizeConfig(env: Env): NormalizeConfig {
  const reader = new EnvReader(env);
  const config: NormalizeConfig = {
    publicId: readPublicIdScheme(reader),
    image: readImageOptions(reader),
    retention: readRetention(reader),
    cloudFrontDistributionId: reader.optional('CLOUDFRONT_DISTRIBUTION_ID'),
    avatarBucket: reader.optional('AVATAR_BUCKET'),
  };
  reader.finish();
  return config;
}

export function loadSendConfig(env: Env): SendConfig {
  const reader = new EnvReader(env);
  const avatarBaseUrl = reader.baseUrl('AVATAR_BASE_URL', 'permanent base URL that serves avatars/*');
  const config: SendConfig = {
    avatarBucket: reader.required('AVATAR_BUCKET', 'bucket that holds avatars/ and manifests/'),
    avatarBaseUrl,
    publicId: readPublicIdScheme(reader),
    defaultAvatarSize: reader.int('DEFAULT_AVATAR_SIZE', 96, 16, 2048),
    defaultAvatarKey: reader.string('DEFAULT_AVATAR_KEY', DEFAULT_AVATAR_KEY),
    defaultAvatarUrl: optionalUrl(reader, 'DEFAULT_AVATAR_URL'),
    presignedUrlHosts: presignedUrlHosts(reader, env),
    idempotencyBucket: reader.string('IDEMPOTENCY_BUCKET', env.AVATAR_BUCKET?.trim() ?? ''),
    idempotencyLeaseSeconds: reader.int('IDEMPOTENCY_LEASE_SECONDS', 120, 1, 43_200),
    sendConcurrency: reader.int('SEND_CONCURRENCY', 4, 1, 100),
    maxSendRate: reader.optional('MAX_SEND_RATE') === undefined ? undefined : reader.number('MAX_SEND_RATE', 1, 0.01, 100_000),
    sendInstances: reader.int('SEND_INSTANCES', 2, 1, 1000),
    dlqUrl: optionalUrl(reader, 'DLQ_URL'),
    retryBaseSeconds: reader.int('RETRY_BASE_SECONDS', 30, 0, 43_200),
    retryMaxSeconds: reader.int('RETRY_MAX_SECONDS', 900, 0, 43_200),
    sesTimeoutMs: reader.int('SES_TIMEOUT_MS', 10_000, 100, 120_000),
    sesMaxAttempts: reader.int('SES_MAX_ATTEMPTS', 1, 1, 10),
    sqsEndpoint: env.AWS_ENDPOINT_URL_SQS?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined,
    defaultConfigurationSet: reader.optional('SES_CONFIGURATION_SET'),
    delivery: readDeliveryConfig(reader, avatarBaseUrl),
  };
  if (!isPublicAvatarKey(config.defaultAvatarKey)) reader.addProblem(`DEFAULT_AVATAR_KEY=${JSON.stringify(config.defaultAvatarKey)} is invalid: expected a key under avatars/ (the only public prefix)`);
  if (config.defaultConfigurationSet !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(config.defaultConfigurationSet)) {
    reader.addProblem(`SES_CONFIGURATION_SET=${JSON.stringify(config.defaultConfigurationSet)} is invalid: expected 1-64 ASCII letters, digits, _ or -`);
  }
  if (config.retryMaxSeconds < config.retryBaseSeconds) reader.addProblem('RETRY_MAX_SECONDS must be at least RETRY_BASE_SECONDS');
  reader.finish();
  return config;
}
