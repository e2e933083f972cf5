/**
 * How we reach Google. The same code talks to real Google and to the local emulator: only these URLs and the
 * client credentials differ (ARCHITECTURE §2).
 */
export interface GoogleSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Origin for the Gmail and Calendar REST APIs and Gmail's batch endpoint (`rootUrl` of the clients). */
  apiRootUrl: string;
  /** Calendar's root on real Google differs from Gmail's; the emulator serves both from one origin. */
  calendarRootUrl: string;
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  /** PEM certificates that sign id_tokens (google-auth-library's `verifyIdToken` reads this format). */
  pemCertsUrl: string;
  issuers: string[];
  /** Timeout of every Google call: the client sets none, and a hung socket must not hang a request. */
  requestTimeoutMs: number;
}

/** Google's production endpoints (https://accounts.google.com/.well-known/openid-configuration). */
export function realGoogle(
  credentials: Pick<GoogleSettings, 'clientId' | 'clientSecret' | 'redirectUri' | 'requestTimeoutMs'>,
): GoogleSettings {
  return {
    ...credentials,
    apiRootUrl: 'https://gmail.googleapis.com/',
    calendarRootUrl: 'https://www.googleapis.com/',
    authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    revokeUrl: 'https://oauth2.googleapis.com/revoke',
    pemCertsUrl: 'https://www.googleapis.com/oauth2/v1/certs',
    issuers: ['accounts.google.com', 'https://accounts.google.com'],
  };
}

/** The local emulator (packages/google-emulator) mirrors Google's paths on one origin. */
export function emulatedGoogle(
  baseUrl: string,
  credentials: Pick<GoogleSettings, 'clientId' | 'clientSecret' | 'redirectUri' | 'requestTimeoutMs'>,
  /** Where browsers reach the emulator, when not at `baseUrl` (docker-compose: service name vs localhost). */
  publicUrl = baseUrl,
): GoogleSettings {
  const root = withSlash(baseUrl);
  const publicRoot = withSlash(publicUrl);
  return {
    ...credentials,
    apiRootUrl: root,
    calendarRootUrl: root,
    authUrl: `${publicRoot}o/oauth2/v2/auth`,
    tokenUrl: `${root}token`,
    revokeUrl: `${root}revoke`,
    pemCertsUrl: `${root}oauth2/v1/certs`,
    // The emulator names itself by the URL it was reached at: accept either.
    issuers: [...new Set([root.slice(0, -1), publicRoot.slice(0, -1)])],
  };
}

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

/** Scopes we ask for: read mail, read and write calendar events (write-back), and who the user is. */
export const GOOGLE_SCOPES = [
  'openid',
  'email',
  'profile',
  'https://www.googleapis.com/auth/gmail.readonly',
  'https://www.googleapis.com/auth/calendar.events',
];
