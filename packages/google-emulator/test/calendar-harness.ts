/**
 * A minimal emulator around the Calendar plugin for its tests: the core's auth hook is stood in for by a
 * hook that maps `Bearer token-for:<email>` to the account, on routes with `config.google` only.
 * The tests talk to it over HTTP through the real `@googleapis/calendar` client.
 */
import { auth, calendar, type calendar_v3 } from '@googleapis/calendar';
import Fastify, { type FastifyInstance } from 'fastify';
import { calendarRoutes } from '../src/calendar/index.js';
import type { CalendarServiceOptions } from '../src/calendar/service.js';
import type { EmulatorAccount } from '../src/types.js';

export interface Harness {
  app: FastifyInstance;
  rootUrl: string;
  client(email: string): calendar_v3.Calendar;
  close(): Promise<void>;
}

export function account(email: string, seed: number): EmulatorAccount {
  return { email, sub: `sub-${seed}`, mailboxSize: 0, seed };
}

export async function startHarness(
  accounts: EmulatorAccount[],
  options: Omit<CalendarServiceOptions, 'accounts'> = {},
): Promise<Harness> {
  const byEmail = new Map(accounts.map((a) => [a.email, a]));
  const directory = { get: (email: string) => byEmail.get(email), list: () => accounts, seed: 1 };
  const app = Fastify();
  app.addHook('onRequest', async (request, reply) => {
    if (!request.routeOptions.config.google) return;
    const token = /^Bearer token-for:(.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const who = token ? byEmail.get(token) : undefined;
    if (!who) return reply.code(401).send({ error: { code: 401, message: 'Invalid Credentials' } });
    request.googleAccount = who;
  });
  await app.register(calendarRoutes, { accounts: directory, ...options });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const rootUrl = `${address}/`;
  return {
    app,
    rootUrl,
    client: (email) => {
      // A real OAuth2 client holding an access token, as the product has after its OAuth flow.
      const oauth = new auth.OAuth2();
      oauth.setCredentials({ access_token: `token-for:${email}` });
      return calendar({ version: 'v3', rootUrl, auth: oauth, retry: false });
    },
    close: () => app.close(),
  };
}

/** Pages through events.list until the last page; returns every item and the nextSyncToken. */
export async function listAll(
  api: calendar_v3.Calendar,
  params: calendar_v3.Params$Resource$Events$List,
): Promise<{ items: calendar_v3.Schema$Event[]; nextSyncToken?: string | null; pages: number }> {
  const items: calendar_v3.Schema$Event[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  for (;;) {
    const { data } = await api.events.list({ ...params, pageToken });
    pages++;
    items.push(...(data.items ?? []));
    if (!data.nextPageToken) return { items, nextSyncToken: data.nextSyncToken, pages };
    pageToken = data.nextPageToken;
  }
}
