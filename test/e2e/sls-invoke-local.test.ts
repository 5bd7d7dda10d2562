/**
 * The path users take on their laptop: `sls invoke local -s local -f NAME -p EVENT.json`
 * (osls + serverless-esbuild bundling the real handlers) against the local stack.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { invokeLocal, PROJECT_ROOT } from '../../dev/sls-invoke';
import { toSqsEvent } from '../../dev/sqs-event';
import { sesStore, useLocalStack } from '../helpers/local-stack';

const OUT = join(PROJECT_ROOT, 'out/test-e2e');

describe('sls invoke local', () => {
  const local = useLocalStack();

  it('runs normalizeAvatar on an S3 event with an encoded key, then sendEmail on an SQS event', async () => {
    const { stack, s3, sqs } = local();
    const params = { avatarBaseUrl: stack.endpoints.edge, avatarBucket: stack.bucket, dlqUrl: stack.dlqUrl };
    const photo = await readFile(join(PROJECT_ROOT, 'test/fixtures/derived_orient6_gps_iphone.jpg'));
    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: 'uploads/u+1/my photo.jpg', Body: photo }));
    const s3Event = await stack.waitForS3Event((r) => r.s3.object.key === 'uploads/u%2B1/my+photo.jpg');

    const normalize = await invokeLocal({ functionName: 'normalizeAvatar', event: s3Event, eventPath: join(OUT, 's3-event.json'), env: stack.env, params });
    expect(normalize.exitCode, normalize.stdout + normalize.stderr).toBe(0);
    expect(normalize.result).toMatchObject({ outcomes: [{ status: 'published', userId: 'u+1', sourceKey: 'uploads/u+1/my photo.jpg' }] });
    expect(normalize.logs.find((l) => l.message === 'avatar published')).toMatchObject({ fn: 'normalize-avatar', key: 'uploads/u+1/my photo.jpg' });

    const job = { id: 'e2e-1', from: 'app@example.com', to: ['reader@example.com'], subject: 'e2e', html: '<img src="{{avatar:u+1:48}}">' };
    await sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: JSON.stringify(job) }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.queueUrl, WaitTimeSeconds: 1 }));
    const sqsEvent = toSqsEvent(received.Messages ?? [], stack.queueArn, stack.region);
    const send = await invokeLocal({ functionName: 'sendEmail', event: sqsEvent, eventPath: join(OUT, 'sqs-event.json'), env: stack.env, params });
    expect(send.exitCode, send.stdout + send.stderr).toBe(0);
    expect(send.result).toMatchObject({ batchItemFailures: [] });
    // The local SES answers GetAccount like a production account: the sender paces at its MaxSendRate.
    expect(send.logs.filter((l) => String(l.message).includes('sandbox rate'))).toEqual([]);

    const mail = (await sesStore(stack)).find((e) => e.subject === 'e2e');
    const url = /src="([^"]+)"/.exec(mail?.body.html ?? '')?.[1] ?? '';
    expect(url).toMatch(/\/48\.jpg$/);
    const served = await fetch(url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
  });
});
