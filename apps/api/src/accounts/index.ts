/**
 * Accounts: users and the provider accounts connected to them, with their refresh tokens sealed at rest.
 * A leaf capability (it imports no other folder), so sign-in, ingestion, calendar and the Google clients can
 * all depend on it without a cycle.
 */
export {
  type AccountGrant,
  accountProvider,
  attachAccount,
  findAccountCredentials,
  findUserWithAccount,
  markNeedsReauth,
  type ProviderIdentity,
  type SealToken,
  type StoredAccount,
  upsertUserAndAccount,
} from './account-repository.ts';
export { TokenCipher } from './token-cipher.ts';
