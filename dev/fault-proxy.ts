/**
 * A fault-injecting HTTP proxy in front of the local SES (aws-ses-v2-local), because the local
 * server never throttles, rejects or breaks. Tests program it per request:
 *
 *   const proxy = await startFaultProxy({ upstream: stack.endpoints.ses });
 *   proxy.enqueue({ kind: 'throttle' }, { kind: 'pass' });          // next two SendEmail calls
 *   proxy.setRule((req) => req.json?.Content?.Simple?.Subject?.Data === 'x' ? { kind: 'reject' } : undefined);
 *   process.env.AWS_ENDPOINT_URL_SESV2 = proxy.url;
 *
 * Errors are shaped like SES v2 (restJson1): the `x-amzn-ErrorType` header and a JSON body with
 * `message`, so the AWS SDK names them (`TooManyRequestsException`, `MessageRejected`, ...).
 * Only SendEmail (`POST /v2/email/outbound-emails`) is subject to faults unless `allPaths` is set.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'pass' }
  /** 429 TooManyRequestsException: "Maximum sending rate exceeded." */
  | { kind: 'throttle' }
  /** 400 MessageRejected (e.g. unverified address in the sandbox). */
  | { kind: 'reject'; message?: string }
  /** Any SES error by name and status: SendingPausedException 400, NotFoundException 404, ... */
  | { kind: 'error'; status: number; errorType: string; message?: string }
  /** A bare 5xx (no error type), as a load balancer in front of SES would answer. */
  | { kind: 'status'; status: number }
  /** The TCP connection is destroyed after the request arrived: the SDK sees ECONNRESET. */
  | { kind: 'reset' }
  /** Waits, then applies `then` (default: pass). With a short SDK timeout this is a timeout. */
  | { kind: 'latency'; ms: number; then?: Fault };

export interface ProxiedRequest {
  method: string;
  path: string;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: SesRequestBody | undefined;
}

/** The parts of a SendEmail body that tests typically match on. */
export interface SesRequestBody {
  FromEmailAddress?: string;
  Content?: { Simple?: { Subject?: { Data?: string } }; Template?: { TemplateName?: string } };
  [field: string]: unknown;
}

export interface FaultRecord {
  path: string;
  fault: Fault['kind'];
  /** The final answer the client got (0 for a reset). */
  status: number;
  subject: string | undefined;
}

export interface FaultProxy {
  url: string;
  /** Faults for the next matching requests, in order; after them requests pass (or follow the rule). */
  enqueue(...faults: Fault[]): void;
  /** Decides per request when the queue is empty; undefined = pass. */
  setRule(rule: ((request: ProxiedRequest) => Fault | undefined) | undefined): void;
  /** Every request that was subject to faults, with what it got. */
  readonly log: readonly FaultRecord[];
  /** Most requests subject to faults that were open at the same time (a concurrency cap shows here). */
  readonly peakConcurrency: number;
  reset(): void;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  upstream: string;
  port?: number;
  /** Apply faults to every path, not just SendEmail. */
  allPaths?: boolean;
}

const SEND_EMAIL_PATH = '/v2/email/outbound-emails';

function sesError(res: http.ServerResponse, status: number, errorType: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': errorType, 'x-amzn-requestid': `fault-${Date.now()}` });
  res.end(JSON.stringify({ message }));
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(text: string): SesRequestBody | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as SesRequestBody) : undefined;
  } catch {
    return undefined;
  }
}

async function forward(upstream: URL, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<number> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'host' || name === 'connection' || name === 'content-length') continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const response = await fetch(new URL(req.url ?? '/', upstream), {
    method: req.method ?? 'GET',
    headers,
    ...(body.length > 0 ? { body } : {}),
  });
  const payload = Buffer.from(await response.arrayBuffer());
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection' && name !== 'content-encoding') out[name] = value;
  });
  res.writeHead(response.status, { ...out, 'content-length': String(payload.length) });
  res.end(payload);
  return response.status;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  const queue: Fault[] = [];
  const log: FaultRecord[] = [];
  let rule: ((request: ProxiedRequest) => Fault | undefined) | undefined;
  let open = 0;
  let peak = 0;

  const apply = async (fault: Fault, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<number> => {
    switch (fault.kind) {
      case 'pass':
        return forward(upstream, req, body, res);
      case 'throttle':
        sesError(res, 429, 'TooManyRequestsException', 'Maximum sending rate exceeded.');
        return 429;
      case 'reject':
        sesError(res, 400, 'MessageRejected', fault.message ?? 'Email address is not verified. The following identities failed the check: reader@example.com');
        return 400;
      case 'error':
        sesError(res, fault.status, fault.errorType, fault.message ?? `${fault.errorType} (injected)`);
        return fault.status;
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'text/plain' }).end(`injected ${fault.status}\n`);
        return fault.status;
      case 'reset':
        req.socket.destroy();
        return 0;
      case 'latency':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        if (req.socket.destroyed) return 0; // the client gave up (timeout)
        return apply(fault.then ?? { kind: 'pass' }, req, body, res);
      default: {
        const unreachable: never = fault;
        throw new Error(`unknown fault ${JSON.stringify(unreachable)}`);
      }
    }
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = new URL(req.url ?? '/', 'http://proxy').pathname;
      const subjectToFaults = options.allPaths === true || (req.method === 'POST' && path === SEND_EMAIL_PATH);
      if (!subjectToFaults) {
        await forward(upstream, req, body, res);
        return;
      }
      const text = body.toString('utf8');
      const request: ProxiedRequest = { method: req.method ?? 'GET', path, body: text, json: parseJson(text) };
      const fault = queue.shift() ?? rule?.(request) ?? { kind: 'pass' };
      const entry: FaultRecord = { path, fault: fault.kind, status: -1, subject: request.json?.Content?.Simple?.Subject?.Data };
      log.push(entry);
      open += 1;
      peak = Math.max(peak, open);
      try {
        entry.status = await apply(fault, req, body, res);
      } finally {
        open -= 1;
      }
    })().catch((error: unknown) => {
      if (!res.headersSent && !req.socket.destroyed) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy error: ${String(error)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    enqueue: (...faults) => {
      queue.push(...faults);
    },
    setRule: (next) => {
      rule = next;
    },
    log,
    get peakConcurrency() {
      return peak;
    },
    reset: () => {
      queue.length = 0;
      log.length = 0;
      rule = undefined;
      peak = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
