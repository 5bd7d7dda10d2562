/**
 * The signing-key loader against a tiny local SSM endpoint (JSON protocol over HTTP, like the real
 * service): no SDK mocks. There is no SSM emulator in the local stack, so the test serves one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPipelineError } from '../../shared/errors';
import { createSigningKeyLoader } from '../../shared/urls/signing-key';
import { throwawayKeyPair } from '../helpers/cloudfront-signature';

const { privateKey } = throwawayKeyPair();
const PARAMETERS: Record<string, string> = { '/evergreen/test/key': privateKey, '/evergreen/test/not-a-key': 'hunter2-plain-text' };
const requests: Array<{ target: string; name: string; decrypt: boolean }> = [];
let server: Server;
let ssm: SSMClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const input = JSON.parse(body) as { Name: string; WithDecryption?: boolean };
      requests.push({ target: String(req.headers['x-amz-target']), name: input.Name, decrypt: input.WithDecryption === true });
      const value = PARAMETERS[input.Name];
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (input.Name === '/evergreen/test/throttled') {
        res.writeHead(400).end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      } else if (value === undefined) {
        res.writeHead(400).end(JSON.stringify({ __type: 'ParameterNotFound', message: '' }));
      } else {
        res.writeHead(200).end(JSON.stringify({ Parameter: { Name: input.Name, Type: 'SecureString', Value: value, Version: 1 } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ssm = new SSMClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  ssm.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('CloudFront signing key from SSM Parameter Store', () => {
  it('reads the SecureString with decryption once and caches it', async () => {
    requests.length = 0;
    const load = createSigningKeyLoader(ssm, '/evergreen/test/key');
    expect(await load()).toBe(privateKey);
    expect(await load()).toBe(privateKey);
    expect(requests).toEqual([{ target: 'AmazonSSM.GetParameter', name: '/evergreen/test/key', decrypt: true }]);
  });

  it('a missing parameter is a permanent E_SIGNING_KEY error', async () => {
    const error: unknown = await createSigningKeyLoader(ssm, '/evergreen/test/missing')().catch((e: unknown) => e);
    expect(isPipelineError(error) && error.kind === 'permanent' && error.code === 'E_SIGNING_KEY').toBe(true);
    expect(String(error)).toMatch(/\/evergreen\/test\/missing: ParameterNotFound/);
  });

  it('throttling is retryable and is not cached: the next call asks SSM again', async () => {
    requests.length = 0;
    const load = createSigningKeyLoader(ssm, '/evergreen/test/throttled');
    const first: unknown = await load().catch((e: unknown) => e);
    expect(isPipelineError(first) && first.kind === 'retryable').toBe(true);
    await load().catch(() => undefined);
    expect(requests).toHaveLength(2);
  });

  it('a value that is not a PEM private key is refused without echoing the value', async () => {
    const error: unknown = await createSigningKeyLoader(ssm, '/evergreen/test/not-a-key')().catch((e: unknown) => e);
    expect(isPipelineError(error) && error.kind === 'permanent').toBe(true);
    expect(String(error)).not.toContain('hunter2');
  });
});
