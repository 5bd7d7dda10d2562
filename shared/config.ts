/**
 * Typed configuration, parsed once per cold start. Every bad variable is reported in one error.
 */
import { DEFAULT_NORMALIZE_OPTIONS, type NormalizeOptions } from './image/normalize';
import type { PublicIdScheme } from './keys';
import { type Env, EnvReader } from './env-reader';
import { type DeliveryConfig, readDeliveryConfig } from './urls/delivery-config';

export interface NormalizeConfig {
  publicId: PublicIdScheme;
  image: NormalizeOptions;
}

export interface SendConfig {
  avatarBucket: string;
  /** Where `avatars/...` keys are served from, ending in `/`. */
  avatarBaseUrl: string;
  publicId: PublicIdScheme;
  /** Variant size used by `{{avatar:<userId>}}` without an explicit size. */
  defaultAvatarSize: number;
  /** How readers reach avatars/* (shared/urls): build the AvatarUrlStrategy from this. */
  delivery: DeliveryConfig;
}

function readPublicIdScheme(reader: EnvReader): PublicIdScheme {
  const mode = reader.oneOf('PUBLIC_ID_MODE', ['hmac', 'plain'] as const, 'hmac');
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

export function loadNormalizeConfig(env: Env): NormalizeConfig {
  const reader = new EnvReader(env);
  const d = DEFAULT_NORMALIZE_OPTIONS;
  const config: NormalizeConfig = {
    publicId: readPublicIdScheme(reader),
    image: {
      sizes: reader.intList('AVATAR_SIZES', d.sizes, 16, 2048),
      jpegQuality: reader.int('JPEG_QUALITY', d.jpegQuality, 1, 100),
      maxInputBytes: reader.int('MAX_INPUT_BYTES', d.maxInputBytes, 1, 200 * 1024 * 1024),
      maxInputPixels: reader.int('MAX_INPUT_PIXELS', d.maxInputPixels, 1, 268_402_689),
      background: reader.string('FLATTEN_BACKGROUND', d.background),
    },
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
    delivery: readDeliveryConfig(reader, avatarBaseUrl),
  };
  reader.finish();
  return config;
}
