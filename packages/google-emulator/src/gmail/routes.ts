/**
 * Gmail v1 emulation as a Fastify plugin. Paths are Google's
 * (https://developers.google.com/gmail/api/reference/rest), so the real `@googleapis/gmail` client works by
 * changing only `rootUrl`. Every API route carries `config.google`; the core's hooks authenticate it
 * (`request.googleAccount`), charge quota by `cost` (Gmail's unit table), inject faults and add latency.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorAccount } from '../types.ts';
import { type BatchOptions, MESSAGES_GET, registerBatchRoute } from './batch-route.ts';
import { GmailError } from './errors.ts';
import { type GmailAccountDirectory, GmailService } from './service.ts';

export interface GmailPluginOptions extends BatchOptions {
  accounts: GmailAccountDirectory;
  /** Epoch ms the generated mail ends just before (default: now, rounded down to the minute). */
  anchor?: number;
  /** Use this service instead of creating one (to share it with the core's admin or a test). */
  service?: GmailService;
  /** Called after every run-time mailbox change (the core's state dir saves them). */
  onChange?: () => void;
}

/** Live services by account directory, so the core can reach the one its plugin instance uses. */
const services = new Map<GmailAccountDirectory, GmailService>();

/** The service the plugin registered for this account directory (undefined before registration). */
export function gmailServiceFor(accounts: GmailAccountDirectory): GmailService | undefined {
  return services.get(accounts);
}

// Gmail quota units per call (GOOGLE-FACTS.md, Gmail API: unit costs).
const google = (method: string, cost: number) => ({ google: { api: 'gmail' as const, method, cost } });

const JSON_TYPE = 'application/json; charset=utf-8';

type UserParams = { userId: string };
type MessageParams = UserParams & { id: string };
type AttachmentParams = MessageParams & { attachmentId: string };

export const gmailRoutes: FastifyPluginAsync<GmailPluginOptions> = async (app, options) => {
  const service =
    options.service ??
    new GmailService({ accounts: options.accounts, anchor: options.anchor, onChange: options.onChange });
  services.set(options.accounts, service);
  app.addHook('onClose', async () => {
    if (services.get(options.accounts) === service) services.delete(options.accounts);
  });

  /** Checks the caller may read `userId`'s mailbox, runs the handler, turns GmailErrors into Google's bodies. */
  const handle =
    <P extends UserParams>(
      run: (account: EmulatorAccount, request: FastifyRequest<{ Params: P }>, reply: FastifyReply) => unknown,
    ) =>
    async (request: FastifyRequest<{ Params: P }>, reply: FastifyReply) => {
      const account = request.googleAccount;
      if (!account) {
        // The core's auth hook sets googleAccount on every route with config.google.
        return reply.code(401).send(new GmailError(401, 'authError', 'Invalid Credentials').body());
      }
      try {
        service.checkUser(account, (request.params as UserParams).userId);
        return await run(account, request, reply);
      } catch (error) {
        if (error instanceof GmailError) return reply.code(error.status).send(error.body());
        throw error;
      }
    };
  const query = (request: FastifyRequest) => (request.query ?? {}) as Record<string, unknown>;

  app.get<{ Params: UserParams }>(
    '/gmail/v1/users/:userId/profile',
    { config: google('users.getProfile', 1) },
    handle((account) => service.profile(account)),
  );

  app.get<{ Params: UserParams }>(
    '/gmail/v1/users/:userId/messages',
    { config: google('users.messages.list', 5) },
    handle((account, request, reply) =>
      reply.type(JSON_TYPE).send(service.listJson(account, query(request))),
    ),
  );

  app.get<{ Params: MessageParams }>(
    '/gmail/v1/users/:userId/messages/:id',
    { config: { google: MESSAGES_GET } },
    // Sent as rendered (and cached) text: no second serialisation of the same message.
    handle((account, request, reply) =>
      reply.type(JSON_TYPE).send(service.getJson(account, request.params.id, query(request))),
    ),
  );

  app.get<{ Params: AttachmentParams }>(
    '/gmail/v1/users/:userId/messages/:id/attachments/:attachmentId',
    { config: google('users.messages.attachments.get', 5) },
    handle((account, request) => service.attachment(account, request.params.id, request.params.attachmentId)),
  );

  app.get<{ Params: UserParams }>(
    '/gmail/v1/users/:userId/history',
    { config: google('users.history.list', 2) },
    handle((account, request) => service.history(account, query(request))),
  );

  app.get<{ Params: UserParams }>(
    '/gmail/v1/users/:userId/labels',
    { config: google('users.labels.list', 1) },
    handle((account) => service.labels(account)),
  );

  registerBatchRoute(app, options, service);
};
