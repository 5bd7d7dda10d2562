/**
 * Typed configuration, parsed once per cold start. Every bad variable is reported in one error.
 */
import { DEFAULT_NORMALIZE_OPTIONS, type NormalizeOptions } from './image/options';
import type { PublicIdScheme } from './keys';
import { type Env, EnvReader } from './env-reader';

/** How many superseded versions stay published: every one, or the newest N (older ones are deleted). */
export type RetentionPolicy = { mode: 'all' } | { mode: 'newest'; count: number };

export interface NormalizeConfig {
  publicId: PublicIdScheme;
  image: NormalizeOptions;
  retention: RetentionPolicy;
  /** When set, erasing a user also invalidates `/avatars/<publicId>/*` on this distribution. */
  cloudFrontDistributionId: string | undefined;
}

export interface SendConfig {
  avatarBucket: string;
  /** Where `avatars/...` keys are served from, ending in `/`. */
  avatarBaseUrl: string;
  publicId: PublicIdScheme;
  /** Variant size used by `{{avatar:<userId>}}` without an explicit size. */
  defaultAvatarSize: number;
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

export function loadNormalizeConfig(env: Env): NormalizeConfig {
  const reader = new EnvReader(env);
  const config: NormalizeConfig = {
    publicId: readPublicIdScheme(reader),
    image: readImageOptions(reader),
    retention: readRetention(reader),
    cloudFrontDistributionId: reader.optional('CLOUDFRONT_DISTRIBUTION_ID'),
  };
  reader.finish();
  return config;
}

export function loadSendConfig(env: Env): SendConfig {
  const reader = new EnvReader(env);
  const config: SendConfig = {
    avatarBucket: reader.required('AVATAR_BUCKET', 'bucket that holds avatars/ and manifests/'),
    avatarBaseUrl: reader.baseUrl('AVATAR_BASE_URL', 'permanent base URL that serves avatars/*'),
    publicId: readPublicIdScheme(reader),
    defaultAvatarSize: reader.int('DEFAULT_AVATAR_SIZE', 96, 16, 2048),
  };
  reader.finish();
  return config;
}
