import type { FastifyRequest } from 'fastify';
import { DomainError } from '../lib/errors.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** `Sec-Fetch-Site` values of a request the page itself made, or the user typed (`none`). */
const OWN_SITE = new Set(['same-origin', 'none']);

interface GuardedRequest {
  method: string;
  headers: FastifyRequest['headers'];
  /** The matched route's pattern (undefined on a 404). */
  routeUrl: string | undefined;
}

/**
 * Cross-site request forgery check (Go 1.25's `http.CrossOriginProtection`, made stricter): on every state-changing
 * request and on the WebSocket upgrade, a browser must say the request comes from `trustedOrigin`. Browsers send
 * `Sec-Fetch-Site` (same-origin/none pass) and/or `Origin` (must be ours, so `Origin: null` fails); a present
 * Origin that is not ours is refused even when Sec-Fetch-Site claims same-origin. A request with neither header
 * did not come from a browser, and so cannot carry a victim's cookie for somebody else: it passes. SameSite=Lax
 * alone would let a sibling subdomain or another port on the host through.
 *
 * Returns why the request is refused, or undefined when it passes.
 */
export function crossOriginRefusal(request: GuardedRequest, trustedOrigin: string): string | undefined {
  if (!guarded(request)) return undefined;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== trustedOrigin)
    return `Origin ${origin.slice(0, 200)} is not ${trustedOrigin}`;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && !OWN_SITE.has(site)) return `Sec-Fetch-Site is ${site.slice(0, 40)}`;
  return undefined;
}

function guarded(request: GuardedRequest): boolean {
  // Cloud Tasks calls these machine to machine, authenticated by an OIDC token, never with a browser's cookie.
  if (request.routeUrl?.startsWith('/tasks/')) return false;
  if (STATE_CHANGING.has(request.method)) return true;
  // A cross-site page may open a WebSocket with the user's cookie: its handshake is a GET.
  return request.routeUrl === '/ws' || request.headers.upgrade?.toLowerCase() === 'websocket';
}

/** Request hook: 403 before the body is parsed and before any handler (or the websocket upgrade) runs. */
export function originGuard(trustedOrigin: string) {
  return async (request: FastifyRequest) => {
    const refusal = crossOriginRefusal(
      { method: request.method, headers: request.headers, routeUrl: request.routeOptions.url },
      trustedOrigin,
    );
    if (refusal) {
      throw new DomainError(403, 'cross_origin_refused', `cross-origin request refused: ${refusal}`);
    }
  };
}
