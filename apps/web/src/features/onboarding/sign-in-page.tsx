import { MeResponse } from '@firstlight/contracts';
import { useEffect } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { requestJson } from '../../lib/api-client.ts';

const ERRORS: Record<string, string> = {
  access_denied: 'Sign-in was cancelled. Firstlight needs your permission to read your mail.',
  email_unverified:
    'Google has not verified the address of this account. Verify it with Google, then sign in again.',
};

export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const error = params.get('signin_error');

  // Already signed in: straight to the inbox.
  useEffect(() => {
    const controller = new AbortController();
    requestJson('/api/me', MeResponse, { signal: controller.signal })
      .then(() => navigate('/inbox', { replace: true }))
      .catch(() => {});
    return () => controller.abort();
  }, [navigate]);

  return (
    <main className="page narrow">
      <h1>Firstlight</h1>
      <p className="lede">Your Gmail and Google Calendar, onboarded in a second.</p>
      <section className="card" aria-labelledby="signin-heading">
        <h2 id="signin-heading">Sign in</h2>
        <p>Your newest mail appears at once; the rest of your mailbox follows in the background.</p>
        {error && (
          <p role="alert" className="bad">
            {ERRORS[error] ?? `Google refused the sign-in (${error}).`}
          </p>
        )}
        <a className="button primary" href="/auth/google">
          Continue with Google
        </a>
      </section>
    </main>
  );
}
