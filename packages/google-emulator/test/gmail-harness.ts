/**
 * A minimal emulator around the Gmail plugin for its tests: the core's auth hook is stood in for by a hook
 * that maps `Bearer token-for:<email>` to the account, on routes with `config.google` only. Tests talk to it
 * over HTTP through the real `@googleapis/gmail` client (and plain fetch for batch, which the client lacks).
 */
import { auth, gmail, type gmail_v1 } from '@googleapis/gmail';
import Fastify, { type FastifyInstance } from 'fastify';
import { GmailService, gmailRoutes } from '../src/gmail/index.ts';
import { BATCH_PART_HEADER, type EmulatorAccount } from '../src/types.ts';

/** Fixed anchor so generated dates do not depend on when the tests run. */
export const TEST_ANCHOR = Date.UTC(2026, 5, 1, 12, 0, 0);
export const BATCH_TOKEN = 'batch-secret-for-tests';

export interface GmailHarness {
  app: FastifyInstance;
  rootUrl: string;
  service: GmailService;
  client(email: string): gmail_v1.Gmail;
  /** Batch parts the guard saw carrying the batch secret (the core charges quota for those). */
  batchParts: number;
  close(): Promise<void>;
}

export function account(email: string, seed: number, mailboxSize: number): EmulatorAccount {
  return { email, sub: `sub-${seed}`, mailboxSize, seed };
}

export async function startGmailHarness(
  accounts: EmulatorAccount[],
  options: { anchor?: number; now?: () => number; batchParallelism?: number } = {},
): Promise<GmailHarness> {
  const byEmail = new Map(accounts.map((a) => [a.email, a]));
  const directory = { get: (email: string) => byEmail.get(email.toLowerCase()), list: () => accounts };
  const service = new GmailService({
    accounts: directory,
    anchor: options.anchor ?? TEST_ANCHOR,
    now: options.now,
  });
  const app = Fastify();
  const harness = { batchParts: 0 } as GmailHarness;
  app.addHook('onRequest', async (request, reply) => {
    if (!request.routeOptions.config.google) return;
    if (request.headers[BATCH_PART_HEADER] === BATCH_TOKEN) harness.batchParts++;
    const token = /^Bearer token-for:(.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const who = token ? byEmail.get(token) : undefined;
    if (!who) return reply.code(401).send({ error: { code: 401, message: 'Invalid Credentials' } });
    request.googleAccount = who;
  });
  await app.register(gmailRoutes, {
    accounts: directory,
    service,
    batchPartToken: BATCH_TOKEN,
    batchParallelism: options.batchParallelism,
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const rootUrl = `${address}/`;
  return Object.assign(harness, {
    app,
    rootUrl,
    service,
    client: (email: string) => {
      // A real OAuth2 client holding an access token, as the product has after its OAuth flow.
      const oauth = new auth.OAuth2();
      oauth.setCredentials({ access_token: `token-for:${email}` });
      return gmail({ version: 'v1', rootUrl, auth: oauth, retry: false });
    },
    close: () => app.close(),
  });
}

/** Pages through messages.list until the last page. */
export async function listAll(
  api: gmail_v1.Gmail,
  params: gmail_v1.Params$Resource$Users$Messages$List,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  for (;;) {
    const { data } = await api.users.messages.list({ userId: 'me', ...params, pageToken });
    pages++;
    ids.push(...(data.messages ?? []).map((m) => m.id!));
    if (!data.nextPageToken) return { ids, pages };
    pageToken = data.nextPageToken;
  }
}

/** Header value of a message payload, case-insensitive. */
export function header(message: gmail_v1.Schema$Message, name: string): string | undefined {
  return (
    message.payload?.headers?.find((h) => h.name?.toLowerCase() === name.toLowerCase())?.value ?? undefined
  );
}

/**
 * Maps with at most `limit` calls in flight: an unbounded Promise.all of 2,500 requests made this test fail on a
 * busy machine (sockets and timeouts), and says nothing more than a bounded one.
 */
export async function mapBounded<T, R>(
  items: T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface Part {
  contentId: string;
  request: string;
}

/** A batch body as Google documents it: multipart/mixed of application/http parts. */
export function batchBody(
  parts: Part[],
  boundary = 'batch_test_boundary',
): { body: string; contentType: string } {
  const chunks = parts.map(
    (part) =>
      `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <${part.contentId}>\r\n\r\n${part.request}\r\n\r\n`,
  );
  return {
    body: `${chunks.join('')}--${boundary}--\r\n`,
    contentType: `multipart/mixed; boundary=${boundary}`,
  };
}

/** Splits a batch answer into its parts: Content-ID, status and JSON body. */
export function parseAnswer(contentType: string, text: string) {
  const boundary = /boundary=([^;]+)/.exec(contentType)![1]!;
  return text
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((segment) => {
      const [partHead = '', httpHead = '', ...rest] = segment.trim().split('\r\n\r\n');
      return {
        contentId: /Content-ID: (.+)/.exec(partHead)?.[1],
        partType: /Content-Type: (.+)/.exec(partHead)?.[1],
        status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(httpHead)?.[1]),
        contentType: /Content-Type: (.+)/.exec(httpHead)?.[1],
        body: JSON.parse(rest.join('\r\n\r\n')),
      };
    });
}
