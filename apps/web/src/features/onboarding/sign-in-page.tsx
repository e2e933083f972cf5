import { useEffect } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useMe } from '../../lib/use-me.ts';

const ERRORS: Record<string, string> = {
  access_denied: 'Sign-in was cancelled. Firstlight needs your permission to read your mail.',
  email_unverified:
    'Google has not verified the address of this account. Verify it with Google, then sign in again.',
  account_in_use:
    'That Google account is already connected to another Firstlight user. Sign in with it to use it there.',
};

export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const error = params.get('signin_error');
  const me = useMe();
  // A fresh answer only: a cached one may be from a session that has since ended (that is why we are here).
  const signedIn = me.isSuccess && !me.isFetching;

  // Already signed in: straight to the inbox — unless a sign-in (adding an account) just failed, which stays on
  // screen with a way back.
  useEffect(() => {
    if (signedIn && !error) navigate('/inbox', { replace: true });
  }, [signedIn, error, navigate]);

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
        {signedIn ? (
          <a className="button primary" href="/inbox">
            Back to your inbox
          </a>
        ) : (
          <a className="button primary" href="/auth/google">
            Continue with Google
          </a>
        )}
      </section>
    </main>
  );
}
