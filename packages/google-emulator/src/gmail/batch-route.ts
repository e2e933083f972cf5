/**
 * `POST /batch/gmail/v1`: each part is dispatched in-process with `app.inject`, so it passes through the
 * core's hooks like any call (auth, quota and faults per part) while the batch itself holds one concurrent
 * slot. Per-part failures (404, 429 …) are answered inside their part; the batch is 200.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { BATCH_PART_HEADER } from '../types.ts';
import {
  type BatchRequestPart,
  type BatchResponsePart,
  encodeBatchResponse,
  parseBatch,
} from './batch-codec.ts';
import { GmailError, notFound } from './errors.ts';

export interface BatchOptions {
  /** Secret the core's guard recognises on dispatched parts. */
  batchPartToken: string;
  /** Parts in flight at once (default 10). */
  batchParallelism?: number;
}

/** Response headers worth passing through to the part (the rest is transport detail). */
const FORWARDED = ['content-type', 'retry-after', 'etag', 'www-authenticate'];

export function registerBatchRoute(app: FastifyInstance, options: BatchOptions): void {
  app.addContentTypeParser(
    'multipart/mixed',
    { parseAs: 'string', bodyLimit: 16 * 1024 * 1024 },
    (_r, body, done) => done(null, body),
  );

  app.post(
    '/batch/gmail/v1',
    { config: { google: { api: 'gmail', method: 'batch', cost: 0 } } },
    async (request, reply) => {
      let parts: BatchRequestPart[];
      try {
        parts = parseBatch(request.headers['content-type'], request.body as string | undefined);
      } catch (error) {
        if (error instanceof GmailError) return reply.code(error.status).send(error.body());
        throw error;
      }
      const dispatch = async (part: BatchRequestPart): Promise<BatchResponsePart> => {
        // Only Gmail methods may be batched on Gmail's batch endpoint.
        if (!part.path.startsWith('/gmail/v1/')) {
          return { contentId: part.contentId, ...jsonPart(404, notFound().body()) };
        }
        const headers: Record<string, string> = {
          ...part.headers,
          [BATCH_PART_HEADER]: options.batchPartToken,
        };
        if (!headers.authorization && request.headers.authorization)
          headers.authorization = request.headers.authorization;
        const response = await app.inject({
          method: part.method as 'GET',
          url: part.path,
          headers,
          ...(part.body !== undefined ? { payload: part.body } : {}),
        });
        const forwarded: Record<string, string> = {};
        for (const name of FORWARDED) {
          const value = response.headers[name];
          if (value !== undefined) forwarded[headerName(name)] = String(value);
        }
        forwarded['Content-Type'] ??= 'application/json; charset=UTF-8';
        return {
          contentId: part.contentId,
          status: response.statusCode,
          headers: forwarded,
          body: response.body,
        };
      };
      const answers = await mapLimited(parts, options.batchParallelism ?? 10, dispatch);
      const boundary = `batch_${randomBytes(12).toString('base64url')}`;
      return reply
        .code(200)
        .header('content-type', `multipart/mixed; boundary=${boundary}`)
        .send(encodeBatchResponse(boundary, answers));
    },
  );
}

function jsonPart(status: number, body: unknown): Omit<BatchResponsePart, 'contentId'> {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=UTF-8' },
    body: JSON.stringify(body, null, 2),
  };
}

function headerName(name: string): string {
  return name === 'etag'
    ? 'ETag'
    : name.replace(/(^|-)([a-z])/g, (_m, dash, letter) => dash + letter.toUpperCase());
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the input order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
