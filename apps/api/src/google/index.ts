/** How the other folders reach Google: settings, OAuth clients, per-account clients and the call wrapper. */
export { AccountClients, ReauthRequired } from './account-clients.ts';
export { backoffMs, classifyGoogleError } from './google-call.ts';
export { GOOGLE_SCOPES, type GoogleSettings } from './google-settings.ts';
export { createOAuthClient, isOAuthClient, type OAuth2Client } from './oauth-client.ts';
export { QuotaCharge, rateLimitScope, UNCHARGED } from './quota-call.ts';
