import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.ts';
import { invalidCredentials } from '../google-error.ts';
import { latencyFor, sleep } from '../guard/latency.ts';

const bearerOf = (request: FastifyRequest) =>
  /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];

/** Who an access token belongs to: userinfo (at Google's three paths) and tokeninfo. */
export function registerIdentityRoutes(app: FastifyInstance, context: EmulatorContext): void {
  const userinfo = async (request: FastifyRequest, reply: FastifyReply) => {
    const bearer = bearerOf(request);
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
    const token = fields.access_token ?? bearerOf(request);
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
}

/** The OpenID claims of an account, as userinfo answers them and id_tokens carry them. */
export function identityClaims(context: EmulatorContext, email: string) {
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
