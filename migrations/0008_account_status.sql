-- Issue 16: `revoked` was a status nothing ever wrote. Google answers a refresh with `invalid_grant` ("Token has
-- been expired or revoked.") whether the user revoked the grant, it expired (7 days for a Testing app) or the
-- password changed, so the product cannot tell a revoked account from an expired one — and both need the same
-- thing from the user: sign in again. That state is `needs_reauth`; the CHECK keeps only what is written.
UPDATE accounts SET status = 'needs_reauth' WHERE status = 'revoked';
ALTER TABLE accounts DROP CONSTRAINT google_accounts_status_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_status_check CHECK (status IN ('active', 'needs_reauth'));
