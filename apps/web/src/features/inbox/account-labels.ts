import type { ConnectedAccount, EmailSummary } from '@firstlight/contracts';

/**
 * Which account a row belongs to, by address: only when the user has more than one account (with one, a label
 * on every row would say nothing).
 */
export function accountLabeller(
  accounts: readonly ConnectedAccount[],
): ((email: EmailSummary) => string | undefined) | undefined {
  if (accounts.length <= 1) return undefined;
  const emailOf = new Map(accounts.map((account) => [account.id, account.email]));
  return (email) => emailOf.get(email.accountId);
}
