import { accountProvider } from '../accounts/index.ts';
import type { MailAccount, MailProvider, MailSource } from '../providers/index.ts';
import type { BackfillDeps } from './backfill-deps.ts';

/**
 * The account's mail source, from the provider its row names, paced by the user's pacer: the ingestion core's
 * only way to a mailbox.
 */
export async function openMailSource(
  deps: Pick<BackfillDeps, 'db' | 'mail' | 'pacer' | 'settings'>,
  account: MailAccount,
  signal?: AbortSignal,
): Promise<{ provider: MailProvider; source: MailSource }> {
  const name = await accountProvider(deps.db, account.accountId);
  const provider = name === undefined ? undefined : deps.mail[name];
  if (!provider) throw new Error(`no mail provider for account ${account.accountId} (${name ?? 'gone'})`);
  const { pacer } = deps;
  const source = await provider.open(account, {
    pacing: {
      run: (units, call, callSignal) => pacer.run(account.userId, units, call, callSignal),
      penalise: (ms) => pacer.penalise(account.userId, ms),
    },
    maxAttempts: deps.settings.callAttempts,
    ...(signal ? { signal } : {}),
  });
  return { provider, source };
}

/** Credentials changed or were refused: every provider drops what it cached for the account. */
export function forgetAccount(deps: Pick<BackfillDeps, 'mail'>, accountId: string): void {
  for (const provider of Object.values(deps.mail)) provider.forget(accountId);
}
