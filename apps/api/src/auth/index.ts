/**
 * Auth: Google sign-in (and adding another account), sessions, `/api/me`. Depends on accounts and google;
 * what it needs of ingestion (the first page, progress) is passed in by the app, so ingestion never meets auth.
 */
export { type AuthRouteOptions, authRoutes } from './auth-routes.ts';
export type { Onboard } from './callback-service.ts';
export { type MeRouteOptions, meRoutes } from './me-routes.ts';
export { type SessionsEndedListener, sessionPlugin, sessionToken } from './session-plugin.ts';
// The benchmarks' naive baseline signs in without the app (bench/naive-sign-in.ts).
export { beginSignIn, type CompletedSignIn, completeSignIn } from './sign-in-service.ts';
