import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * Helmet's headers for every response (the SPA and the API's JSON alike), tuned to what the Vite build needs.
 * The build has no inline script or style element (index.html loads one module script and one stylesheet), and
 * React's `style={}` props go through the CSSOM, which CSP does not govern, so `'self'` suffices for both.
 */
export function browserHeaders(publicUrl: string): FastifyHelmetOptions {
  const url = new URL(publicUrl);
  const https = url.protocol === 'https:';
  // The SPA's WebSocket (/ws). CSP3 lets 'self' match ws(s): on the same host, older browsers do not: say it.
  const socketOrigin = `${https ? 'wss' : 'ws'}://${url.host}`;
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'", socketOrigin],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        // Only forms: the sign-in is a top-level navigation to /auth/google, which redirects on to Google.
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // Over http (local use) an upgrade would send the page's own requests to an https port nobody listens on.
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    // Not `no-referrer`: under it browsers send `Origin: null` on same-origin POSTs (Fetch § "serializing a
    // request origin"), which the origin guard must refuse. This one sends no path off-site, and no origin on
    // a downgrade to http.
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    // Only where the site is https: HSTS over http is ignored by browsers at best, and pins localhost at worst.
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  };
}
