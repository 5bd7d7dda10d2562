/**
 * `publish-default-avatar --bucket NAME`: the one deploy step the stack cannot do itself. Puts the
 * shipped default avatar (for users without one) at its immutable key, with the caller's AWS
 * credentials. Safe to run on every deploy: a second run only checks the bytes are the same.
 */
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { isPublicAvatarKey } from '../shared/keys';
import { DEFAULT_AVATAR_KEY } from '../shared/mail/default-avatar-key';
import { publishDefaultAvatar } from '../shared/mail/default-avatar';

const USAGE = 'Usage: evergreen-avatars publish-default-avatar --bucket NAME [--key avatars/...] [--region REGION]';

export async function runPublishDefaultAvatarCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { bucket: { type: 'string' }, key: { type: 'string' }, region: { type: 'string' } },
    strict: true,
  });
  if (values.bucket === undefined || values.bucket === '') {
    process.stderr.write(`--bucket is required\n${USAGE}\n`);
    return 1;
  }
  const key = values.key ?? DEFAULT_AVATAR_KEY;
  if (!isPublicAvatarKey(key)) {
    process.stderr.write(`--key must be a plain key under avatars/ (the only public prefix), got ${JSON.stringify(key)}\n`);
    return 1;
  }
  const s3 = new S3Client(values.region === undefined ? {} : { region: values.region });
  try {
    const result = await publishDefaultAvatar(s3, values.bucket, { key });
    process.stdout.write(`${JSON.stringify({ bucket: values.bucket, ...result })}\n`);
    return 0;
  } finally {
    s3.destroy();
  }
}
