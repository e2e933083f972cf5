import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AccountSet } from '../account-sets.ts';
import type { EmulatorContext } from '../context.ts';
import { SCOPE } from '../oauth/scopes.ts';
import { AccountSpec, FaultPatch, QuotaSettings } from '../options.ts';

/**
 * Run-time controls for tests, benchmarks and demos (no `config.google`: never guarded or counted). Gmail's and
 * Calendar's data changes live with their plugins (`/admin/gmail/...`, `/admin/calendar/...`).
 */

export const FaultsUpdate = z.object({
  global: FaultPatch.optional(),
  accounts: z.record(z.string(), FaultPatch).optional(),
});
export type FaultsUpdate = z.infer<typeof FaultsUpdate>;

export const QuotaUpdate = QuotaSettings.partial();
export type QuotaUpdate = z.infer<typeof QuotaUpdate>;

const UsageParams = z.object({
  last: z.coerce.number().int().min(1).optional(),
  users: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
});

const AccountParams = z.object({ email: z.string().min(1) });
const TokenRequest = z.object({ scopes: z.array(z.string()).optional() }).default({});

/** Every scope the product could ask for: tokens minted by the admin API open every API. */
export const ALL_SCOPES = ['openid', SCOPE.email, SCOPE.profile, SCOPE.gmailReadonly, SCOPE.calendarEvents];

export function registerAdminRoutes(app: FastifyInstance, context: EmulatorContext): void {
  registerControlRoutes(app, context);
  registerAccountRoutes(app, context);
}

const badRequest = (message: string) => ({ error: { code: 400, message } });

/** Counters, quota windows, faults. */
function registerControlRoutes(app: FastifyInstance, context: EmulatorContext): void {
  app.get('/admin/stats', async () => ({
    ...context.counters.snapshot(),
    quota: context.quota.settings,
    usage: Object.fromEntries(
      context.accounts.list().map((account) => [
        account.email,
        {
          gmail: context.quota.usage('gmail', account.email),
          calendar: context.quota.usage('calendar', account.email),
        },
      ]),
    ),
    faults: context.faults.snapshot(),
    // Per-window totals (no per-user maps: those are GET /admin/quota/usage's).
    quotaWindows: context.quota.history.windows({ users: false }),
  }));

  /** Per-window project and per-user usage and refusals, oldest first: `?last=N`, `?users=false`. */
  app.get('/admin/quota/usage', async (request, reply) => {
    const query = UsageParams.safeParse(request.query ?? {});
    if (!query.success) return reply.code(400).send(badRequest(query.error.message));
    const history = context.quota.history;
    return {
      windowMs: history.windowMs,
      origin: new Date(history.origin).toISOString(),
      keep: history.keep,
      windows: history.windows(query.data),
    };
  });

  /** Zero the counters and the quota windows (between benchmark phases). */
  app.post('/admin/reset', async (_request, reply) => {
    context.counters.reset();
    context.quota.reset();
    return reply.code(204).send();
  });

  app.put('/admin/faults', async (request, reply) => {
    const update = FaultsUpdate.safeParse(request.body ?? {});
    if (!update.success) return reply.code(400).send(badRequest(update.error.message));
    applyFaults(context, update.data);
    return context.faults.snapshot();
  });

  app.delete('/admin/faults', async (_request, reply) => {
    context.faults.clear();
    return reply.code(204).send();
  });

  app.put('/admin/quota', async (request, reply) => {
    const update = QuotaUpdate.safeParse(request.body ?? {});
    if (!update.success) return reply.code(400).send(badRequest(update.error.message));
    context.quota.configure(QuotaSettings.parse({ ...context.quota.settings, ...update.data }));
    return context.quota.settings;
  });
}

/** Accounts: list, add, and what happens to their tokens. */
function registerAccountRoutes(app: FastifyInstance, context: EmulatorContext): void {
  const accountOr404 = (email: string) => context.accounts.get(email);

  app.get('/admin/accounts', async () =>
    context.accounts.list().map((account) => ({ ...account, name: context.nameOf(account.email) })),
  );

  app.post('/admin/accounts', async (request, reply) => {
    const spec = AccountSpec.safeParse(request.body ?? {});
    if (!spec.success) return reply.code(400).send(badRequest(spec.error.message));
    return reply
      .code(201)
      .send(
        context.addAccount(spec.data.email, spec.data.mailboxSize, spec.data.name, spec.data.emailVerified),
      );
  });

  /** Many accounts at once: `{prefix, count, minMessages, maxMessages, seed?, domain?, start?}` (account-sets.ts). */
  app.post('/admin/accounts/bulk', async (request, reply) => {
    const set = AccountSet.safeParse(request.body ?? {});
    if (!set.success) return reply.code(400).send(badRequest(set.error.message));
    return reply
      .code(201)
      .send({ ...context.addAccountSet(set.data), accounts: context.accounts.list().length });
  });

  /** The user removed the app: every refresh token of the account answers `invalid_grant` from now on. */
  app.post('/admin/accounts/:email/revoke', async (request, reply) => {
    const { email } = AccountParams.parse(request.params);
    if (!accountOr404(email))
      return reply.code(404).send({ error: { code: 404, message: `no account ${email}` } });
    return { revokedRefreshTokens: context.tokens.revokeAccount(email.toLowerCase()) };
  });

  /** Access tokens end now (the product must refresh); refresh tokens stay valid. */
  app.post('/admin/accounts/:email/expire-access-tokens', async (request, reply) => {
    const { email } = AccountParams.parse(request.params);
    if (!accountOr404(email))
      return reply.code(404).send({ error: { code: 404, message: `no account ${email}` } });
    return { expired: context.tokens.expireAccessTokens(email.toLowerCase()) };
  });

  /** Mints an access token without the browser dance (tests and benchmarks that read Gmail directly). */
  app.post('/admin/accounts/:email/tokens', async (request, reply) => {
    const { email } = AccountParams.parse(request.params);
    const account = accountOr404(email);
    if (!account) return reply.code(404).send({ error: { code: 404, message: `no account ${email}` } });
    const { scopes = ALL_SCOPES } = TokenRequest.parse(request.body ?? {});
    const clientId = context.options.clients[0]!.clientId;
    const access = context.tokens.issueAccessToken({ email: account.email, clientId, scopes });
    return {
      access_token: access.token,
      expires_in: access.expiresIn,
      token_type: 'Bearer',
      scope: scopes.join(' '),
    };
  });
}

export function applyFaults(context: EmulatorContext, update: FaultsUpdate): void {
  if (update.global) context.faults.setGlobal(update.global);
  for (const [email, patch] of Object.entries(update.accounts ?? {})) context.faults.setAccount(email, patch);
}
