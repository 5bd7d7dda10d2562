/**
 * The embedded local AWS stack shared by the tests, the demo and `npm run stack`:
 * S3 (s3rver), SQS (fauxqs), SES v2 (aws-ses-v2-local) and the avatar edge, all on 127.0.0.1.
 * Code under test reaches it only through the standard AWS_ENDPOINT_URL_* variables.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { encodeS3EventKey } from '../shared/s3-event';
import { type AvatarEdge, startAvatarEdge } from './avatar-edge';
import { conditionalWriteMiddleware, patchDurablePuts, patchSingleDesForOpenSsl3 } from './s3rver-patches';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_BUCKET = 'evergreen-avatars-local';
export const LOCAL_QUEUE = 'evergreen-avatars-local-email-jobs';
export const LOCAL_DLQ = 'evergreen-avatars-local-email-jobs-dlq';
/** Fixed ports of `npm run stack`, matching the `local` stage in serverless.yml. */
export const FIXED_PORTS = { s3: 4569, sqs: 4576, ses: 8005, edge: 4580 } as const;

export interface StackPorts {
  s3: number;
  sqs: number;
  ses: number;
  edge: number;
}

export interface StackOptions {
  /** 0 = ephemeral (tests); FIXED_PORTS for `npm run stack`. */
  ports?: Partial<StackPorts>;
  bucket?: string;
  /** Directory for s3rver's files; a fresh temp dir (removed on stop) when absent. */
  s3Directory?: string;
}

export interface LocalStack {
  region: string;
  bucket: string;
  queueUrl: string;
  dlqUrl: string;
  queueArn: string;
  endpoints: { s3: string; sqs: string; ses: string; edge: string };
  /** The variables a function (or `sls invoke local`) needs to talk to this stack. */
  env: Record<string, string>;
  /** S3 notifications the stack emitted, keys URL-encoded as real S3 sends them. */
  s3Events: S3EventRecord[];
  waitForS3Event(predicate: (record: S3EventRecord) => boolean, timeoutMs?: number): Promise<S3Event>;
  stop(): Promise<void>;
}

interface S3rverInstance {
  middleware: unknown[];
  store: Parameters<typeof patchDurablePuts>[0];
  on(event: 'event', listener: (event: S3Event) => void): void;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

async function startS3(port: number, directory: string, bucket: string): Promise<{ server: S3rverInstance; url: string }> {
  patchSingleDesForOpenSsl3();
  const { default: S3rver } = (await import('s3rver')) as unknown as { default: S3rverConstructor };
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  server.middleware.unshift(conditionalWriteMiddleware());
  patchDurablePuts(server.store);
  const address = await server.run();
  return { server, url: `http://127.0.0.1:${address.port}` };
}

interface FastifyLike {
  listen(options: { host: string; port: number }): Promise<string>;
  close(): Promise<void>;
}
interface FauxqsStores {
  sqsStore: { host: string };
  snsStore: unknown;
  s3Store: unknown;
}

/** fauxqs 2 loads node:sqlite, whose ExperimentalWarning would open every demo and test log. */
let sqliteWarningSilenced = false;
function silenceSqliteWarning(): void {
  if (sqliteWarningSilenced) return;
  sqliteWarningSilenced = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    if (String(warning).includes('SQLite is an experimental feature')) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

async function startSqs(port: number): Promise<{ app: FastifyLike; url: string }> {
  silenceSqliteWarning();
  const fauxqsEntry = import.meta.resolve('fauxqs');
  const load = async <T>(relative: string): Promise<T> => (await import(new URL(relative, fauxqsEntry).href)) as T;
  const { SqsStore } = await load<{ SqsStore: new () => FauxqsStores['sqsStore'] }>('./sqs/sqsStore.js');
  const { SnsStore } = await load<{ SnsStore: new () => unknown }>('./sns/snsStore.js');
  const { S3Store } = await load<{ S3Store: new () => unknown }>('./s3/s3Store.js');
  const { buildApp } = (await import('fauxqs')) as unknown as {
    buildApp(options: { logger: boolean; stores: FauxqsStores }): FastifyLike;
  };
  const sqsStore = new SqsStore();
  // A blank host makes queue URLs use the request's Host (127.0.0.1:port), which resolves.
  sqsStore.host = '';
  const app = buildApp({ logger: false, stores: { sqsStore, snsStore: new SnsStore(), s3Store: new S3Store() } });
  const address = await app.listen({ host: '127.0.0.1', port });
  return { app, url: address.replace('localhost', '127.0.0.1') };
}

/**
 * What the local SES answers to GetAccount (it reads AWS_SES_ACCOUNT per request; without it the
 * sender falls back to the sandbox rate of 1 mail/s). A production account's default quota.
 */
export const LOCAL_SES_ACCOUNT = {
  DedicatedIpAutoWarmupEnabled: false,
  Details: {
    AdditionalContactEmailAddresses: [],
    ContactLanguage: 'EN',
    MailType: 'TRANSACTIONAL',
    ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
    UseCaseDescription: 'evergreen-avatars local stack',
    WebsiteURL: 'http://127.0.0.1/',
  },
  EnforcementStatus: 'HEALTHY',
  ProductionAccessEnabled: true,
  SendingEnabled: true,
  SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 },
  SuppressionAttributes: { SuppressedReasons: [] },
};

async function startSes(port: number): Promise<{ server: Server; url: string }> {
  type StartSes = (config: { host: string; port: number }) => Promise<Server>;
  // A CJS module with `exports.default`: Node's ESM loader nests it once more than tsx/vitest do.
  const module = (await import('aws-ses-v2-local')) as unknown as { default: StartSes | { default: StartSes } };
  const start = typeof module.default === 'function' ? module.default : module.default.default;
  const server = await start({ host: '127.0.0.1', port });
  const address = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${address.port}` };
}

async function createQueues(sqsUrl: string, env: Record<string, string>): Promise<{ queueUrl: string; dlqUrl: string; queueArn: string }> {
  const sqs = new SQSClient({
    region: LOCAL_REGION,
    endpoint: sqsUrl,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' },
  });
  try {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: LOCAL_DLQ }));
    const dlqUrl = dlq.QueueUrl ?? '';
    const dlqAttributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: LOCAL_QUEUE,
        Attributes: {
          VisibilityTimeout: '30',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqAttributes.Attributes?.QueueArn, maxReceiveCount: 5 }),
        },
      }),
    );
    const queueUrl = queue.QueueUrl ?? '';
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    return { queueUrl, dlqUrl, queueArn: attributes.Attributes?.QueueArn ?? '' };
  } finally {
    sqs.destroy();
  }
}

/** Real S3 sequencers are hex strings that sort in event order for a key; s3rver's can tie. */
function sequencerFactory(): () => string {
  let last = 0n;
  return () => {
    const now = BigInt(Date.now()) * 1000n;
    last = now > last ? now : last + 1n;
    return last.toString(16).toUpperCase().padStart(16, '0');
  };
}

export async function startLocalStack(options: StackOptions = {}): Promise<LocalStack> {
  const ports: StackPorts = { s3: 0, sqs: 0, ses: 0, edge: 0, ...options.ports };
  const bucket = options.bucket ?? LOCAL_BUCKET;
  const ownDirectory = options.s3Directory === undefined;
  const directory = options.s3Directory ?? (await mkdtemp(join(tmpdir(), 'evergreen-s3-')));

  const stops: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const close of stops.reverse()) await close().catch(() => undefined);
    if (ownDirectory) await rm(directory, { recursive: true, force: true });
  };

  try {
    const s3 = await startS3(ports.s3, directory, bucket);
    stops.push(() => s3.server.close());
    const sqs = await startSqs(ports.sqs);
    stops.push(() => sqs.app.close());
    const ses = await startSes(ports.ses);
    stops.push(() => new Promise<void>((resolve) => ses.server.close(() => resolve())));
    if (process.env.AWS_SES_ACCOUNT === undefined) {
      process.env.AWS_SES_ACCOUNT = JSON.stringify(LOCAL_SES_ACCOUNT);
      stops.push(async () => {
        delete process.env.AWS_SES_ACCOUNT;
      });
    }
    const edge: AvatarEdge = await startAvatarEdge({ s3Endpoint: s3.url, bucket, port: ports.edge });
    stops.push(() => edge.close());

    const env: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      // s3rver accepts only this key pair; the other servers accept anything.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL_S3: s3.url,
      AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_ENDPOINT_URL_SESV2: ses.url,
      // s3rver stores aws-chunked bodies verbatim when the SDK adds its default CRC32 trailers.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const queues = await createQueues(sqs.url, env);

    const s3Events: S3EventRecord[] = [];
    const waiters = new Set<() => void>();
    const nextSequencer = sequencerFactory();
    s3.server.on('event', (event) => {
      for (const record of event.Records) {
        record.s3.object.key = encodeS3EventKey(record.s3.object.key);
        record.s3.object.sequencer = nextSequencer();
        record.s3.bucket.arn = `arn:aws:s3:::${record.s3.bucket.name}`;
        s3Events.push(record);
      }
      for (const wake of waiters) wake();
    });

    const waitForS3Event = (predicate: (record: S3EventRecord) => boolean, timeoutMs = 5000): Promise<S3Event> =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = s3Events.find(predicate);
          if (found === undefined) return false;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve({ Records: [found] });
          return true;
        };
        const wake = (): void => {
          check();
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no matching S3 event within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
        check();
      });

    return {
      region: LOCAL_REGION,
      bucket,
      ...queues,
      endpoints: { s3: s3.url, sqs: sqs.url, ses: ses.url, edge: edge.url },
      env,
      s3Events,
      waitForS3Event,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
