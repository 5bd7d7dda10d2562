/**
 * The local stand-in for the public delivery path (bucket policy on avatars/* or CloudFront):
 * anonymous GET/HEAD of `avatars/*` only, everything else 403, exactly what a reader of the mail sees.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AVATARS_PREFIX } from '../shared/keys';

export interface AvatarEdge {
  url: string;
  close(): Promise<void>;
}

const FORWARDED_HEADERS = ['content-type', 'content-length', 'cache-control', 'etag', 'last-modified'];

export async function startAvatarEdge(options: { s3Endpoint: string; bucket: string; port: number }): Promise<AvatarEdge> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://edge').pathname;
      const key = decodeURIComponent(path.slice(1));
      if ((req.method !== 'GET' && req.method !== 'HEAD') || !key.startsWith(AVATARS_PREFIX) || key.includes('..')) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden: only avatars/* is public\n');
        return;
      }
      const upstream = await fetch(`${options.s3Endpoint}/${options.bucket}/${path.slice(1)}`, { method: req.method });
      if (!upstream.ok) {
        // Like S3 behind a bucket policy without s3:ListBucket: a missing key is a 403, not a 404.
        res.writeHead(upstream.status === 404 ? 403 : 502, { 'content-type': 'text/plain' }).end('Forbidden\n');
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of FORWARDED_HEADERS) {
        const value = upstream.headers.get(name);
        if (value !== null) headers[name] = value;
      }
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : Buffer.from(await upstream.arrayBuffer()));
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`edge error: ${String(error)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
