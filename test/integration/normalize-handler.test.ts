/** The deployed handler module itself (config read at import, middy wrapping), against the local stack. */
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../helpers/local-stack';

const context = { awsRequestId: 'req-erase-1' } as Context;

describe('normalizeAvatar handler: direct erase-user jobs', () => {
  const local = useLocalStack();

  it('erases for the deployment bucket and refuses any other bucket with E_EVENT', async () => {
    const { stack } = local();
    process.env.PUBLIC_ID_SECRET = 'handler-test-secret-0123456789';
    process.env.AVATAR_BUCKET = stack.bucket;
    const { handler } = await import('../../functions/normalize-avatar/handler');
    await expect(handler({ kind: 'erase-user', bucket: 'someone-elses-bucket', userId: 'u1' }, context)).rejects.toMatchObject({
      code: 'E_EVENT',
      kind: 'permanent',
    });
    await expect(handler({ kind: 'erase-user', bucket: stack.bucket, userId: 'u1' }, context)).resolves.toBeDefined();
    await expect(handler({ kind: 'erase-user', bucket: stack.bucket } as never, context)).rejects.toMatchObject({ code: 'E_EVENT' });
  });
});
