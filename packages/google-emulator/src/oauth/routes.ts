import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.ts';
import { registerAuthorizeRoutes } from './authorize-routes.ts';
import { registerDiscoveryRoutes } from './discovery-routes.ts';
import { registerIdentityRoutes } from './identity-routes.ts';
import { registerTokenRoutes } from './token-routes.ts';

/**
 * OAuth 2.0 / OpenID Connect as Google serves it, at Google's paths on the emulator's origin:
 * authorization (consent page), token (authorization_code with PKCE, refresh_token), revoke, userinfo,
 * tokeninfo, and the keys that verify id_tokens.
 */
export function registerOAuthRoutes(app: FastifyInstance, context: EmulatorContext): void {
  registerAuthorizeRoutes(app, context);
  registerTokenRoutes(app, context);
  registerIdentityRoutes(app, context);
  registerDiscoveryRoutes(app, context);
}
