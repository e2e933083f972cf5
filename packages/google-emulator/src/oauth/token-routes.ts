import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context.ts';
import { latencyFor, sleep } from '../guard/latency.ts';
import { issuerOf } from './discovery-routes.ts';
import { identityClaims } from './identity-routes.ts';
import { invalidClient, invalidRequest, OAuthError } from './oauth-error.ts';

const TokenBody = z.object({
  grant_type: z.string().min(1),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  code: z.string().optional(),
  redirect_uri: z.string().optional(),
  code_verifier: z.string().optional(),
  refresh_token: z.string().optional(),
});
type TokenBody = z.infer<typeof TokenBody>;

/** The token endpoint (authorization_code with PKCE, refresh_token) and revocation. */
export function registerTokenRoutes(app: FastifyInstance, context: EmulatorContext): void {
  app.post('/token', async (request, reply) => {
    await sleep(latencyFor(context.options.latency, 'oauth.token'));
    try {
      const body = TokenBody.safeParse(request.body ?? {});
      if (!body.success) throw invalidRequest('Required parameter is missing: grant_type');
      const client = authenticateClient(context, request, body.data);
      const issuer = issuerOf(context, request);
      if (body.data.grant_type === 'authorization_code')
        return reply.send(redeemCode(context, issuer, client, body.data));
      if (body.data.grant_type === 'refresh_token')
        return reply.send(refresh(context, issuer, client, body.data));
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
}

function redeemCode(context: EmulatorContext, issuer: string, client: string, body: TokenBody) {
  if (!body.code) throw invalidRequest('Missing required parameter: code');
  const grant = context.tokens.redeemCode({
    code: body.code,
    clientId: client,
    redirectUri: body.redirect_uri,
    codeVerifier: body.code_verifier,
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
  return tokenResponse(context, issuer, client, grant.email, grant.scopes, refreshToken, true, grant.nonce);
}

function refresh(context: EmulatorContext, issuer: string, client: string, body: TokenBody) {
  if (!body.refresh_token) throw invalidRequest('Missing required parameter: refresh_token');
  const grant = context.tokens.refreshGrant(body.refresh_token, client);
  return tokenResponse(context, issuer, client, grant.email, grant.scopes, body.refresh_token, false);
}

/** The client, from HTTP Basic or the body (Google accepts both); a wrong secret is `invalid_client`. */
function authenticateClient(
  context: EmulatorContext,
  request: FastifyRequest,
  body: { client_id?: string | undefined; client_secret?: string | undefined },
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
