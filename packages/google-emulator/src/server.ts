import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerGmailAdminRoutes } from './admin/gmail-admin.ts';
import { registerAdminRoutes } from './admin/routes.ts';
import { calendarRoutes } from './calendar/index.ts';
import type { EmulatorContext } from './context.ts';
import { gmailRoutes, gmailServiceFor } from './gmail/index.ts';
import { admitPart } from './guard/admission.ts';
import { installGuard } from './guard/guard.ts';
import { registerOAuthRoutes } from './oauth/routes.ts';

/** The emulator's HTTP server: OAuth, Gmail, Calendar and admin routes behind the quota/fault guard. */
export async function buildServer(context: EmulatorContext): Promise<FastifyInstance> {
  const app = Fastify({
    logger: context.options.logger ? { level: 'info' } : false,
    // Google accepts long query strings (repeated metadataHeaders, labelIds) and batch bodies up to ~ a few MB.
    bodyLimit: 16 * 1024 * 1024,
    routerOptions: { maxParamLength: 500 },
  });
  app.decorateRequest('googleAccount', undefined);
  // What a request changed is saved before its reply leaves (see state/state-keeper.ts).
  if (context.keeper) {
    const keeper = context.keeper;
    app.addHook('onSend', async (_request, _reply, payload) => {
      keeper.flushIfDirty();
      return payload;
    });
  }
  await app.register(formbody);
  installGuard(app, context);
  registerOAuthRoutes(app, context);
  registerAdminRoutes(app, context);
  await app.register(gmailRoutes, {
    accounts: context.accounts,
    anchor: context.anchor,
    batchPartToken: context.batchPartToken,
    admitPart: (route, authorization) => admitPart(context, route, authorization),
    onChange: context.changed,
  });
  const gmail = gmailServiceFor(context.accounts);
  if (gmail) registerGmailAdminRoutes(app, gmail);
  await app.register(calendarRoutes, {
    accounts: context.accounts,
    anchor: context.anchor,
    onChange: context.changed,
    empty: context.calendars === 'empty',
  });
  app.get('/', async () => ({
    name: 'firstlight-google-emulator',
    accounts: context.accounts.list().map((account) => account.email),
    endpoints: {
      authorization: '/o/oauth2/v2/auth',
      token: '/token',
      revoke: '/revoke',
      userinfo: '/v1/userinfo',
      certs: '/oauth2/v1/certs',
      gmail: '/gmail/v1/users/me/...',
      gmailBatch: '/batch/gmail/v1',
      calendar: '/calendar/v3/...',
      admin: '/admin/stats',
    },
  }));
  return app;
}
