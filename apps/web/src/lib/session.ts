import type { QueryClient } from '@tanstack/react-query';

/**
 * Ends this browser's session (or every session of the user) and forgets what the cache knew about them, so
 * the sign-in page does not take a cached `/api/me` for a live session.
 */
export async function signOut(queryClient: QueryClient, everywhere: boolean): Promise<void> {
  await fetch(everywhere ? '/auth/logout-everywhere' : '/auth/logout', { method: 'POST' });
  queryClient.clear();
}

/** Where "Add another Google account" goes: the API's sign-in flow, linking the new account to this user. */
export const ADD_ACCOUNT_URL = '/auth/google?intent=add_account';
