import { accountProvider } from '../accounts/index.ts';
import type { MailAccount, MailProvider, MailSource } from '../providers/index.ts';
import type { BackfillDeps } from './backfill-deps.ts';
import { type PacingMode, quotaPacing } from './quota-pacing.ts';

/**
 * The account's mail source, from the provider its row names, paced for the user under the quota port in the
 * caller's class (see quota-pacing.ts): the ingestion core's only way to a mailbox.
 */
export async function openMailSource(
  deps: Pick<BackfillDeps, 'db' | 'mail' | 'pacer' | 'quota' | 'settings'>,
  account: MailAccount,
  mode: PacingMode,
  signal?: AbortSignal,
): Promise<{ provider: MailProvider; source: MailSource }> {
  const name = await accountProvider(deps.db, account.accountId);
  const provider = name === undefined ? undefined : deps.mail[name];
  if (!provider) throw new Error(`no mail provider for account ${account.accountId} (${name ?? 'gone'})`);
  const source = await provider.open(account, {
    // Google keys its per-user quota by the mailbox: a user with two accounts has two quotas.
    pacing: quotaPacing(deps, account.accountId, mode),
    maxAttempts: deps.settings.callAttempts,
    ...(signal ? { signal } : {}),
  });
  return { provider, source };
}

/** Credentials changed or were refused: every provider drops what it cached for the account. */
export function forgetAccount(deps: Pick<BackfillDeps, 'mail'>, accountId: string): void {
  for (const provider of Object.values(deps.mail)) provider.forget(accountId);
}
