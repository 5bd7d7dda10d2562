/**
 * Workarounds that make s3rver 3.7 behave like S3 where our code depends on it
 * (see ../shared/STACK.md). Applied once per process, before any request.
 */
import crypto from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

let desPatched = false;

/**
 * s3rver encrypts ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 refuses
 * (500 on every paginated list). DES-EDE with K1 = K2 is single DES, byte for byte.
 */
export function patchSingleDesForOpenSsl3(): void {
  if (desPatched) return;
  desPatched = true;
  const mutable = crypto as unknown as Record<'createCipheriv' | 'createDecipheriv', (...args: unknown[]) => unknown>;
  for (const name of ['createCipheriv', 'createDecipheriv'] as const) {
    const original = mutable[name].bind(crypto);
    mutable[name] = (algorithm: unknown, key: unknown, ...rest: unknown[]) => {
      if (algorithm === 'des' && Buffer.isBuffer(key) && key.length === 8) {
        return original('des-ede-cbc', Buffer.concat([key, key]), ...rest);
      }
      return original(algorithm, key, ...rest);
    };
  }
}

interface KoaContextLike {
  method: string;
  path: string;
  get(header: string): string;
  status: number;
  type: string;
  body: unknown;
  app: {
    store: {
      existsObject(bucket: string, key: string): Promise<boolean>;
      getMetadata(bucket: string, key: string): Promise<{ etag: string }>;
    };
  };
}
type KoaMiddleware = (ctx: KoaContextLike, next: () => Promise<void>) => Promise<void>;

function conditionalWriteError(ctx: KoaContextLike, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

/** `"abc"`, `W/"abc"` and `abc` name the same ETag. */
const bareEtag = (value: string): string => value.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');

/**
 * S3 conditional writes: `If-None-Match: *` answers 412 when the key exists; `If-Match: <etag>`
 * answers 412 when the object's ETag differs and 404 when there is no object; both answer 409
 * ConditionalRequestConflict while another conditional write to the same key is in flight.
 * s3rver ignores both headers, so this middleware implements them in front of the router.
 */
export function conditionalWriteMiddleware(): KoaMiddleware {
  const inFlight = new Set<string>();
  return async (ctx, next) => {
    const ifNoneMatch = ctx.get('if-none-match');
    const ifMatch = ctx.get('if-match');
    if (ctx.method !== 'PUT' || (ifNoneMatch !== '*' && ifMatch === '')) return next();
    const [, bucket = '', ...keyParts] = ctx.path.split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    const id = `${bucket}/${key}`;
    if (inFlight.has(id)) {
      conditionalWriteError(ctx, 409, 'ConditionalRequestConflict', 'A conflicting conditional operation is in progress.');
      return;
    }
    inFlight.add(id);
    try {
      const exists = await ctx.app.store.existsObject(bucket, key);
      if (ifNoneMatch === '*' && exists) {
        conditionalWriteError(ctx, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
        return;
      }
      if (ifMatch !== '') {
        if (!exists) {
          conditionalWriteError(ctx, 404, 'NoSuchKey', 'The specified key does not exist.');
          return;
        }
        const { etag } = await ctx.app.store.getMetadata(bucket, key);
        if (ifMatch.trim() !== '*' && bareEtag(etag) !== bareEtag(ifMatch)) {
          conditionalWriteError(ctx, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
          return;
        }
      }
      await next();
    } finally {
      inFlight.delete(id);
    }
  };
}

interface StoredObjectLike {
  bucket: string;
  key: string;
  content: unknown;
  metadata: unknown;
}
interface FilesystemStoreLike {
  putObject(object: StoredObjectLike): Promise<{ size: number; md5: string }>;
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
}

async function bodyBytes(content: unknown): Promise<Buffer> {
  if (Buffer.isBuffer(content)) return content;
  const chunks: Buffer[] = [];
  for await (const chunk of content as AsyncIterable<Buffer | string>) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * s3rver answers a PUT once the request body has passed its hashing transform, before the file write
 * has flushed (and it truncates the old file first), so a GET right after can read a partial object:
 * seen under load as an empty manifest. Real S3 is read-after-write consistent. Here the body is
 * written completely to a temp file and renamed into place before the PUT is answered.
 */
export function patchDurablePuts(store: FilesystemStoreLike): void {
  store.putObject = async (object) => {
    const body = await bodyBytes(object.content);
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(objectPath), { recursive: true });
    const temporary = `${objectPath}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temporary, body);
    await rename(temporary, objectPath);
    const md5 = crypto.createHash('md5').update(body).digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: body.length, md5 };
  };
}
