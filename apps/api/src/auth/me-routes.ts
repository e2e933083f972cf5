import { MeResponse } from '@firstlight/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.ts';
import { accountsProgress, mailboxProgress } from '../ingestion/index.ts';
import { DomainError } from '../lib/errors.ts';
import { hasOpsRole } from '../ops/ops-access.ts';
import { findUserWithAccount } from './account-repository.ts';

export const meRoutes: FastifyPluginAsyncZod<{ opsAccess: Config['ops'] }> = async (app, options) => {
  // preParsing: anonymous callers get 401 before any body is parsed or input validated (no schema details),
  // and after every onRequest hook (the rate limiter counts them too).
  app.addHook('preParsing', async (request) => app.requireUser(request));
  app.get('/api/me', { schema: { response: { 200: MeResponse } } }, async (request) => {
    const row = await findUserWithAccount(app.db, request.userId!);
    if (!row) throw new DomainError(401, 'unauthenticated', 'the signed-in user no longer exists');
    return {
      user: {
        id: row.userId,
        email: row.userEmail,
        displayName: row.displayName,
        isOps: hasOpsRole(options.opsAccess, row.userEmail),
      },
      account: { email: row.accountEmail, status: row.accountStatus, scopes: row.scopes },
      ingestion: await mailboxProgress(app.db, row.userId),
      accounts: await accountsProgress(app.db, row.userId),
    };
  });
};
