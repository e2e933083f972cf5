import { endSessionRequests } from './api-client.ts';

/**
 * Ends this browser's session (or every session of the user), then leaves for a fresh sign-in page. No request of
 * the old session goes out once sign-out starts (a WebSocket event may land meanwhile), and the page is replaced
 * rather than navigated: the old user's cached mail, the socket and every pending refresh go with it, and the
 * sign-in page cannot take a cached `/api/me` for a live session.
 */
export async function signOut(everywhere: boolean): Promise<void> {
  endSessionRequests();
  await fetch(everywhere ? '/auth/logout-everywhere' : '/auth/logout', { method: 'POST' });
  window.location.replace('/');
}

/** Where "Add another Google account" goes: the API's sign-in flow, linking the new account to this user. */
export const ADD_ACCOUNT_URL = '/auth/google?intent=add_account';
