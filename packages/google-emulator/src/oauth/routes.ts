import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context.ts';
import { invalidCredentials } from '../google-error.ts';
import { latencyFor, sleep } from '../guard/latency.ts';
import { consentPage, errorPage } from './consent-page.ts';
import { invalidClient, invalidRequest, OAuthError } from './oauth-error.ts';
import { normaliseScopes } from './scopes.ts';
import type { CodeGrant } from './token-store.ts';

/**
 * OAuth 2.0 / OpenID Connect as Google serves it, at Google's paths on the emulator's origin:
 * authorization (consent page), token (authorization_code with PKCE, refresh_token), revoke, userinfo,
 * tokeninfo, and the keys that verify id_tokens.
 */

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

const TokenBody = z.object({
  grant_type: z.string().min(1),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  code: z.string().optional(),
  redirect_uri: z.string().optional(),
  code_verifier: z.string().optional(),
  refresh_token: z.string().optional(),
});

/** Consent screens waiting for a decision (ten minutes, like a Google sign-in page). */
const PENDING_TTL_MS = 10 * 60_000;

export function registerOAuthRoutes(app: FastifyInstance, context: EmulatorContext): void {
  const pending = new Map<string, { query: AuthorizationQuery; expiresAt: number }>();

  const issuerOf = (request: FastifyRequest) =>
    context.options.publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;

  const redirectWith = (
    reply: FastifyReply,
    redirectUri: string,
    params: Record<string, string | undefined>,
  ) => {
    const url = new URL(redirectUri);
    for (const [name, value] of Object.entries(params))
      if (value !== undefined) url.searchParams.set(name, value);
    return reply.redirect(url.toString(), 302);
  };

  const approve = (reply: FastifyReply, query: AuthorizationQuery, email: string, scopes: string[]) => {
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
  };

  app.get('/o/oauth2/v2/auth', async (request, reply) => {
    const parsed = AuthorizationQuery.safeParse(request.query);
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
      return approve(reply, query, account.email, scopes);
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
  });

  app.post('/o/oauth2/v2/auth/approve', async (request, reply) => {
    const parsed = Approval.safeParse(request.body);
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
    return approve(reply, query, account.email, granted);
  });

  app.post('/token', async (request, reply) => {
    await sleep(latencyFor(context.options.latency, 'oauth.token'));
    try {
      const body = TokenBody.safeParse(request.body ?? {});
      if (!body.success) throw invalidRequest('Required parameter is missing: grant_type');
      const client = authenticateClient(context, request, body.data);
      const issuer = issuerOf(request);
      if (body.data.grant_type === 'authorization_code') {
        if (!body.data.code) throw invalidRequest('Missing required parameter: code');
        const grant = context.tokens.redeemCode({
          code: body.data.code,
          clientId: client,
          redirectUri: body.data.redirect_uri,
          codeVerifier: body.data.code_verifier,
        });
        let refreshToken: string | undefined;
        if (grant.offline) {
          // Google returns a refresh token on first consent only; prompt=consent forces a new one.
          if (!context.tokens.hasLiveRefreshToken(grant.email, client) || grant.forceConsent) {
            refreshToken = context.tokens.issueRefreshToken({
              email: grant.email,
              clientId: client,
              scopes: grant.scopes,
            });
          }
        }
        return reply.send(
          tokenResponse(context, issuer, client, grant.email, grant.scopes, refreshToken, true, grant.nonce),
        );
      }
      if (body.data.grant_type === 'refresh_token') {
        if (!body.data.refresh_token) throw invalidRequest('Missing required parameter: refresh_token');
        const grant = context.tokens.refreshGrant(body.data.refresh_token, client);
        return reply.send(
          tokenResponse(context, issuer, client, grant.email, grant.scopes, body.data.refresh_token, false),
        );
      }
      throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${body.data.grant_type}`);
    } catch (error) {
      if (error instanceof OAuthError) return reply.code(error.status).send(error.body());
      throw error;
    }
  });

  app.post('/revoke', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const query = request.query as Record<string, unknown>;
    const token =
      typeof body.token === 'string' ? body.token : typeof query.token === 'string' ? query.token : '';
    if (!token || !context.tokens.revoke(token)) {
      return reply.code(400).send({ error: 'invalid_token', error_description: 'Token expired or revoked' });
    }
    return reply.send({});
  });

  const userinfo = async (request: FastifyRequest, reply: FastifyReply) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const grant = bearer ? context.tokens.accessGrant(bearer) : undefined;
    if (!grant) return reply.code(401).send(invalidCredentials());
    await sleep(latencyFor(context.options.latency, 'oauth.userinfo'));
    return reply.send(identityClaims(context, grant.email));
  };
  app.get('/oauth2/v3/userinfo', userinfo);
  app.get('/oauth2/v2/userinfo', userinfo);
  app.get('/v1/userinfo', userinfo);

  // Google takes the token as `access_token` (query or form) or, as google-auth-library sends it, a bearer header.
  const tokeninfo = async (request: FastifyRequest, reply: FastifyReply) => {
    const fields = { ...(request.query as object), ...((request.body as object) ?? {}) } as {
      access_token?: string;
    };
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const token = fields.access_token ?? bearer;
    const grant = token ? context.tokens.accessGrant(token) : undefined;
    if (!grant) return reply.code(400).send({ error: 'invalid_token', error_description: 'Invalid Value' });
    return reply.send({
      azp: grant.clientId,
      aud: grant.clientId,
      sub: context.accounts.get(grant.email)?.sub,
      scope: grant.scopes.join(' '),
      exp: String(Math.floor(grant.expiresAt / 1000)),
      expires_in: String(Math.max(0, Math.floor((grant.expiresAt - Date.now()) / 1000))),
      email: grant.email,
      email_verified: String(!context.unverified.has(grant.email)),
      access_type: grant.refreshTokenHash ? 'offline' : 'online',
    });
  };
  app.get('/tokeninfo', tokeninfo);
  app.post('/tokeninfo', tokeninfo);

  // Google lets clients cache its keys for hours (google-auth-library honours max-age): so do we.
  const cacheable = (reply: FastifyReply) =>
    reply.header('cache-control', 'public, max-age=21600, must-revalidate');
  app.get('/oauth2/v1/certs', async (_request, reply) => cacheable(reply).send(context.key.pemCerts()));
  app.get('/oauth2/v3/certs', async (_request, reply) => cacheable(reply).send(context.key.jwks()));
  app.get('/.well-known/openid-configuration', async (request) => {
    const issuer = issuerOf(request);
    return {
      issuer,
      authorization_endpoint: `${issuer}/o/oauth2/v2/auth`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/v1/userinfo`,
      revocation_endpoint: `${issuer}/revoke`,
      jwks_uri: `${issuer}/oauth2/v3/certs`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'profile'],
      code_challenge_methods_supported: ['plain', 'S256'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
    };
  });
}

/** The client, from HTTP Basic or the body (Google accepts both); a wrong secret is `invalid_client`. */
function authenticateClient(
  context: EmulatorContext,
  request: FastifyRequest,
  body: { client_id?: string; client_secret?: string },
): string {
  let clientId = body.client_id;
  let secret = body.client_secret;
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (basic) {
    const [id, pass] = Buffer.from(basic, 'base64').toString('utf8').split(':');
    clientId = decodeURIComponent(id ?? '');
    secret = decodeURIComponent(pass ?? '');
  }
  const client = context.options.clients.find((entry) => entry.clientId === clientId);
  if (!client || client.clientSecret !== secret) throw invalidClient();
  return client.clientId;
}

function identityClaims(context: EmulatorContext, email: string) {
  const account = context.accounts.get(email);
  const name = context.nameOf(email);
  const [given, ...family] = name.split(' ');
  return {
    sub: account?.sub ?? '',
    email,
    email_verified: !context.unverified.has(account?.email ?? email.toLowerCase()),
    name,
    given_name: given ?? name,
    ...(family.length ? { family_name: family.join(' ') } : {}),
  };
}

function tokenResponse(
  context: EmulatorContext,
  issuer: string,
  clientId: string,
  email: string,
  scopes: string[],
  refreshToken: string | undefined,
  returnRefreshToken: boolean,
  nonce?: string,
) {
  const access = context.tokens.issueAccessToken({
    email,
    clientId,
    scopes,
    ...(refreshToken ? { refreshToken } : {}),
  });
  const now = Math.floor(Date.now() / 1000);
  const idToken = scopes.includes('openid')
    ? context.key.sign({
        iss: issuer,
        azp: clientId,
        aud: clientId,
        ...identityClaims(context, email),
        iat: now,
        exp: now + 3600,
        ...(nonce ? { nonce } : {}),
      })
    : undefined;
  return {
    access_token: access.token,
    expires_in: access.expiresIn,
    ...(returnRefreshToken && refreshToken ? { refresh_token: refreshToken } : {}),
    scope: scopes.join(' '),
    token_type: 'Bearer',
    ...(idToken ? { id_token: idToken } : {}),
  };
}
