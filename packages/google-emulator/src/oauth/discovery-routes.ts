import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.ts';

/** The `iss` of id_tokens and the base of the discovery document: `publicUrl`, else the request's origin. */
export const issuerOf = (context: EmulatorContext, request: FastifyRequest) =>
  context.options.publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;

/** The keys that verify id_tokens, and the OpenID Connect discovery document. */
export function registerDiscoveryRoutes(app: FastifyInstance, context: EmulatorContext): void {
  // Google lets clients cache its keys for hours (google-auth-library honours max-age): so do we.
  const cacheable = (reply: FastifyReply) =>
    reply.header('cache-control', 'public, max-age=21600, must-revalidate');
  app.get('/oauth2/v1/certs', async (_request, reply) => cacheable(reply).send(context.key.pemCerts()));
  app.get('/oauth2/v3/certs', async (_request, reply) => cacheable(reply).send(context.key.jwks()));
  app.get('/.well-known/openid-configuration', async (request) => {
    const issuer = issuerOf(context, request);
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
