import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { GmailService } from '../gmail/index.ts';

/**
 * Changes made "elsewhere" to a mailbox — new mail arriving, the user deleting or relabelling on their phone,
 * Google expiring history — so tests and demos can drive incremental sync. Not guarded, not counted.
 */
const Params = z.object({ email: z.string().min(1) });
const Deliver = z.object({ count: z.number().int().min(1).max(10_000).default(1) });
const Ids = z.object({ ids: z.array(z.string().min(1)).min(1).max(1_000) });
const Relabel = Ids.extend({
  add: z.array(z.string()).default([]),
  remove: z.array(z.string()).default([]),
});

export function registerGmailAdminRoutes(app: FastifyInstance, gmail: GmailService): void {
  const run = async (reply: FastifyReply, work: () => unknown) => {
    try {
      return reply.send((await work()) ?? { ok: true });
    } catch (error) {
      if (error instanceof z.ZodError)
        return reply.code(400).send({ error: { code: 400, message: error.message } });
      const status = (error as { status?: number }).status;
      if (typeof status === 'number')
        return reply.code(status).send({ error: { code: status, message: String(error) } });
      throw error;
    }
  };

  app.post('/admin/gmail/:email/deliver', (request, reply) =>
    run(reply, () => {
      const { email } = Params.parse(request.params);
      const { count } = Deliver.parse(request.body ?? {});
      return { delivered: gmail.deliver(email, count) };
    }),
  );

  app.post('/admin/gmail/:email/delete', (request, reply) =>
    run(reply, () => {
      const { email } = Params.parse(request.params);
      return { deleted: gmail.deleteMessages(email, Ids.parse(request.body ?? {}).ids) };
    }),
  );

  app.post('/admin/gmail/:email/labels', (request, reply) =>
    run(reply, () => {
      const { email } = Params.parse(request.params);
      const { ids, add, remove } = Relabel.parse(request.body ?? {});
      gmail.modifyLabels(email, ids, add, remove);
      return { modified: ids.length };
    }),
  );

  /** Every historyId issued so far answers 404 from now on (the client must full-sync). */
  app.post('/admin/gmail/:email/expire-history', (request, reply) =>
    run(reply, () => {
      const { email } = Params.parse(request.params);
      gmail.expireHistory(email);
      return { expired: true };
    }),
  );
}
