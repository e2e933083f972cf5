import { type ConnectedAccount, MeResponse } from '@firstlight/contracts';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useNavigate } from 'react-router';
import { isUnauthorized, requestJson } from './api-client.ts';

export const ME_KEY = ['me'] as const;

/**
 * `GET /api/me`, shared by every page (the shell, the inbox, the sign-in page): one request per page visit,
 * whoever asks. `/api/me` is also preloaded with the inbox page (API web-routes): the plain GET reuses it.
 */
export function useMe() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: ({ signal }) => requestJson('/api/me', MeResponse, { signal }),
  });
}

/** Pages that need a session go back to sign-in when the API says there is none. */
export function useRequireSignIn(): void {
  const me = useMe();
  const navigate = useNavigate();
  const signedOut = isUnauthorized(me.error);
  useEffect(() => {
    if (signedOut) navigate('/', { replace: true });
  }, [signedOut, navigate]);
}

/**
 * The user's connected accounts, oldest first. An API older than multi-account sends no `accounts`: the one
 * account it describes stands in (its id from its ingestion, which is what rows and events refer to).
 */
export function connectedAccounts(me: MeResponse | undefined): ConnectedAccount[] {
  if (!me) return [];
  if (me.accounts.length > 0) return me.accounts;
  return [
    {
      id: me.ingestion?.accountId ?? '',
      provider: 'google',
      email: me.account.email,
      status: me.account.status,
      scopes: me.account.scopes,
      ingestion: me.ingestion,
    },
  ];
}
