/**
 * A tiny stand-in for the one CloudFront API we call, `CreateInvalidation`
 * (POST /2020-05-31/distribution/{id}/invalidation). No CloudFront emulator exists; the real
 * CloudFrontClient talks to this through AWS_ENDPOINT_URL_CLOUDFRONT, and tests read `requests`.
 * Like CloudFront, a repeated CallerReference with the same paths returns the same invalidation.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedInvalidation {
  id: string;
  distributionId: string;
  callerReference: string;
  paths: string[];
  createTime: string;
}

export interface LocalCloudFront {
  url: string;
  /** Every accepted CreateInvalidation call, in arrival order (duplicates included). */
  requests: RecordedInvalidation[];
  /** Distinct invalidations, as CloudFront would list them. */
  invalidations: RecordedInvalidation[];
  close(): Promise<void>;
}

const PATH = /^\/2020-05-31\/distribution\/([^/]+)\/invalidation$/;
const XMLNS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';

const tagValues = (xml: string, tag: string): string[] =>
  [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => unescapeXml(m[1] ?? ''));
const unescapeXml = (text: string): string =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function invalidationXml(inv: RecordedInvalidation): string {
  const items = inv.paths.map((p) => `<Path>${escapeXml(p)}</Path>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Invalidation xmlns="${XMLNS}"><Id>${inv.id}</Id><Status>InProgress</Status><CreateTime>${inv.createTime}</CreateTime><InvalidationBatch><Paths><Quantity>${inv.paths.length}</Quantity><Items>${items}</Items></Paths><CallerReference>${escapeXml(inv.callerReference)}</CallerReference></InvalidationBatch></Invalidation>`;
}

function errorXml(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { 'content-type': 'text/xml' });
  response.end(`<?xml version="1.0"?>\n<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>`);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface LocalCloudFrontOptions {
  port?: number;
  /** When given, other distribution ids answer 404 NoSuchDistribution. */
  distributionIds?: readonly string[];
}

export async function startLocalCloudFront(options: LocalCloudFrontOptions = {}): Promise<LocalCloudFront> {
  const requests: RecordedInvalidation[] = [];
  const invalidations: RecordedInvalidation[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const match = PATH.exec(new URL(request.url ?? '/', 'http://local').pathname);
      if (request.method !== 'POST' || match === null) return errorXml(response, 404, 'NotImplemented', 'only CreateInvalidation is emulated');
      const distributionId = decodeURIComponent(match[1] ?? '');
      if (options.distributionIds !== undefined && !options.distributionIds.includes(distributionId)) {
        return errorXml(response, 404, 'NoSuchDistribution', `The specified distribution does not exist: ${distributionId}`);
      }
      const body = await readBody(request);
      const callerReference = tagValues(body, 'CallerReference')[0] ?? '';
      const paths = tagValues(body, 'Path');
      const quantity = Number(tagValues(body, 'Quantity')[0] ?? NaN);
      if (callerReference === '' || paths.length === 0 || quantity !== paths.length) {
        return errorXml(response, 400, 'InvalidArgument', 'CallerReference and Paths (with a matching Quantity) are required');
      }
      const existing = invalidations.find((i) => i.distributionId === distributionId && i.callerReference === callerReference);
      if (existing !== undefined && existing.paths.join('\n') !== paths.join('\n')) {
        return errorXml(response, 409, 'InvalidationBatchAlreadyExists', 'CallerReference reused with different paths');
      }
      const invalidation = existing ?? { id: `I${randomBytes(6).toString('hex').toUpperCase()}`, distributionId, callerReference, paths, createTime: new Date().toISOString() };
      if (existing === undefined) invalidations.push(invalidation);
      requests.push(invalidation);
      response.writeHead(201, { 'content-type': 'text/xml', location: `${request.url}/${invalidation.id}` });
      response.end(invalidationXml(invalidation));
    })().catch((error: unknown) => errorXml(response, 500, 'InternalError', String(error)));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    invalidations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
