/**
 * What other folders use of the security capability: the TRUST_PROXY setting (config parses it). Its guards'
 * plugin (security-plugin.ts) is registered by app.ts only, and is left out here so that importing the setting
 * never loads Fastify's plugins.
 */
export { fastifyTrustProxy, parseTrustProxy, type TrustProxy } from './trust-proxy.ts';
