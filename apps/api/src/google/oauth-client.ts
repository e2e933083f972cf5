import { auth } from '@googleapis/gmail';
import type { GoogleSettings } from './google-settings.ts';

// The OAuth2 class of the google-auth-library copy that @googleapis/gmail itself uses (googleapis-common pins
// an exact version; mixing copies breaks the clients' types).
export type OAuth2Client = InstanceType<typeof auth.OAuth2>;

/** Whether `value` is an OAuth client of the copy the Google clients use (a sign-in's fresh grant). */
export function isOAuthClient(value: unknown): value is OAuth2Client {
  return value instanceof auth.OAuth2;
}

export function createOAuthClient(settings: GoogleSettings): OAuth2Client {
  return new auth.OAuth2({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    redirectUri: settings.redirectUri,
    endpoints: {
      oauth2AuthBaseUrl: settings.authUrl,
      oauth2TokenUrl: settings.tokenUrl,
      oauth2RevokeUrl: settings.revokeUrl,
      oauth2FederatedSignonPemCertsUrl: settings.pemCertsUrl,
    },
    issuers: settings.issuers,
  });
}
