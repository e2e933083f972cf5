import { access } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { INBOX_FIRST_PAGE_URL } from '@firstlight/contracts';
import type { FastifyPluginAsync } from 'fastify';

export interface WebOptions {
  /** The Vite build of apps/web. */
  distDir: string;
  /** Serve the build's `*.map` files (SERVE_SOURCE_MAPS): off, they would publish the whole source. */
  serveSourceMaps: boolean;
}

/**
 * The API calls a page makes first, announced with the page (`Link: rel=preload`) so the browser fetches them while
 * it downloads and starts the bundle instead of after: the inbox's first rows arrive with the script, not after
 * it. `crossorigin=anonymous` is the credentials mode of a same-origin `fetch()`, so the SPA's call reuses them.
 */
const PRELOADS: Record<string, string[]> = {
  '/inbox': ['/api/me', INBOX_FIRST_PAGE_URL],
};

/** Paths the SPA never owns: a miss there is a real 404, not the app shell. */
const SERVER_PREFIXES = ['/api/', '/auth/', '/tasks/', '/ws', '/healthz', '/readyz', '/metrics'];

/**
 * Serves the built SPA, so `npm start` is one URL. Unknown GET paths that look like pages get `index.html`
 * (client-side routes such as /inbox or /ops survive a reload).
 */
export const webRoutes: FastifyPluginAsync<WebOptions> = async (app, options) => {
  const indexHtml = join(options.distDir, 'index.html');
  const built = await access(indexHtml).then(
    () => true,
    () => false,
  );
  if (!built) {
    app.log.warn(
      { distDir: options.distDir },
      'the web app is not built: run `npm run build` (npm start does it)',
    );
    app.get('/', async (_request, reply) =>
      reply
        .type('text/plain')
        .send('Firstlight API is running, but the web app is not built: run `npm run build`.\n'),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: options.distDir,
    wildcard: false,
    index: ['index.html'],
    // The build keeps its maps (an error tracker may want them uploaded); the server refuses them unless asked.
    allowedPath: (pathName) => options.serveSourceMaps || !pathName.endsWith('.map'),
  });
  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const looksLikeFile = /\.[a-z0-9]+$/i.test(path);
    if (looksLikeFile || SERVER_PREFIXES.some((prefix) => path.startsWith(prefix))) {
      return reply.callNotFound();
    }
    const preloads = PRELOADS[path];
    if (preloads) {
      reply.header(
        'link',
        preloads.map((url) => `<${url}>; rel=preload; as=fetch; crossorigin=anonymous`).join(', '),
      );
    }
    return reply.sendFile('index.html');
  });
};
