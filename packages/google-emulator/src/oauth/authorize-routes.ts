import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context.ts';
import { consentPage, errorPage } from './consent-page.ts';
import { normaliseScopes } from './scopes.ts';
import type { CodeGrant } from './token-store.ts';

const AuthorizationQuery = z.object({
  client_id: z.string().min(1),
  redirect_uri: z.string().url(),
  response_type: z.literal('code'),
  scope: z.string().min(1),
  state: z.string().optional(),
  code_challenge: z
    .string()
    .regex(/^[A-Za-z0-9._~-]{43,128}$/)
    .optional(),
  code_challenge_method: z.enum(['S256', 'plain']).optional(),
  access_type: z.enum(['online', 'offline']).optional(),
  prompt: z.string().optional(),
  login_hint: z.string().optional(),
  include_granted_scopes: z.string().optional(),
  nonce: z.string().optional(),
});
type AuthorizationQuery = z.infer<typeof AuthorizationQuery>;

const Approval = z.object({
  request_id: z.string().min(1),
  decision: z.enum(['allow', 'deny']),
  email: z.string().optional(),
  scope: z.union([z.string(), z.array(z.string())]).optional(),
});

/** Consent screens waiting for a decision (ten minutes, like a Google sign-in page). */
const PENDING_TTL_MS = 10 * 60_000;

type PendingConsents = Map<string, { query: AuthorizationQuery; expiresAt: number }>;

/**
 * The authorization endpoint: a consent page (or, with `autoApprove`, the answer at once — for the account
 * `login_hint` names, else the first), and the page's decision, which redirects back with a code or an error.
 */
export function registerAuthorizeRoutes(app: FastifyInstance, context: EmulatorContext): void {
  const pending: PendingConsents = new Map();
  app.get('/o/oauth2/v2/auth', async (request, reply) => authorize(context, pending, request.query, reply));
  app.post('/o/oauth2/v2/auth/approve', async (request, reply) =>
    decide(context, pending, request.body, reply),
  );
}

async function authorize(
  context: EmulatorContext,
  pending: PendingConsents,
  rawQuery: unknown,
  reply: FastifyReply,
) {
  const parsed = AuthorizationQuery.safeParse(rawQuery);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const description = `Invalid parameter value for ${issue.path.join('.') || 'request'}: ${issue.message}`;
    return reply
      .code(400)
      .type('text/html')
      .send(errorPage(400, 'invalid_request', description));
  }
  const query = parsed.data;
  if (!context.options.clients.some((client) => client.clientId === query.client_id)) {
    return reply
      .code(401)
      .type('text/html')
      .send(errorPage(401, 'invalid_client', 'The OAuth client was not found.'));
  }
  const scopes = normaliseScopes(query.scope);
  const hinted = query.login_hint ? context.accounts.get(query.login_hint) : undefined;
  // Auto-approve answers for the user, also when the app asks for consent again (prompt=consent).
  if (context.options.autoApprove && (hinted || !query.login_hint)) {
    const account = hinted ?? context.accounts.list()[0]!;
    return approve(context, reply, query, account.email, scopes);
  }
  const requestId = randomBytes(16).toString('base64url');
  const now = Date.now();
  for (const [id, entry] of pending) if (entry.expiresAt < now) pending.delete(id);
  pending.set(requestId, { query, expiresAt: now + PENDING_TTL_MS });
  return reply.type('text/html; charset=utf-8').send(
    consentPage({
      requestId,
      clientId: query.client_id,
      accounts: context.accounts
        .list()
        .map((account) => ({ email: account.email, name: context.nameOf(account.email) })),
      ...(hinted ? { selected: hinted.email } : {}),
      scopes,
    }),
  );
}

async function decide(
  context: EmulatorContext,
  pending: PendingConsents,
  body: unknown,
  reply: FastifyReply,
) {
  const parsed = Approval.safeParse(body);
  const entry = parsed.success ? pending.get(parsed.data.request_id) : undefined;
  if (!parsed.success || !entry || entry.expiresAt < Date.now()) {
    return reply
      .code(400)
      .type('text/html')
      .send(
        errorPage(400, 'invalid_request', 'This sign-in request is unknown or has expired. Start again.'),
      );
  }
  pending.delete(parsed.data.request_id);
  const { query } = entry;
  if (parsed.data.decision === 'deny') {
    return redirectWith(reply, query.redirect_uri, { error: 'access_denied', state: query.state });
  }
  const account = parsed.data.email ? context.accounts.get(parsed.data.email) : undefined;
  if (!account) {
    return reply
      .code(400)
      .type('text/html')
      .send(errorPage(400, 'invalid_request', 'Choose an account.'));
  }
  const ticked = [parsed.data.scope ?? []].flat();
  const asked = normaliseScopes(query.scope);
  // Only scopes that were asked for can be granted; unticked ones are simply not granted.
  const granted = asked.filter((scope) => ticked.includes(scope));
  return approve(context, reply, query, account.email, granted);
}

function approve(
  context: EmulatorContext,
  reply: FastifyReply,
  query: AuthorizationQuery,
  email: string,
  scopes: string[],
) {
  const grant: Omit<CodeGrant, 'expiresAt'> = {
    clientId: query.client_id,
    redirectUri: query.redirect_uri,
    email,
    scopes,
    offline: query.access_type === 'offline',
    forceConsent: (query.prompt ?? '').split(' ').includes('consent'),
    ...(query.code_challenge
      ? { codeChallenge: query.code_challenge, codeChallengeMethod: query.code_challenge_method ?? 'plain' }
      : {}),
    ...(query.nonce ? { nonce: query.nonce } : {}),
  };
  const code = context.tokens.issueCode(grant);
  return redirectWith(reply, query.redirect_uri, { state: query.state, code, scope: scopes.join(' ') });
}

function redirectWith(reply: FastifyReply, redirectUri: string, params: Record<string, string | undefined>) {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value);
  return reply.redirect(url.toString(), 302);
}
