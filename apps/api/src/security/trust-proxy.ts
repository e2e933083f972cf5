import { isIP } from 'node:net';

/** Fastify's `trustProxy`: off, every hop (`true`), this many hops, or these addresses / CIDRs. */
export type TrustProxy = boolean | number | string[];

// proxy-addr's names for the private ranges, accepted as Fastify accepts them.
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY as Fastify takes it, or undefined when the value is not one of the accepted forms. Off by default:
 * a client's own `X-Forwarded-For` / `-Proto` must never become `request.ip` (logs, rate limits) or decide
 * anything, unless a proxy we know put it there.
 */
export function parseTrustProxy(value: string): TrustProxy | undefined {
  const text = value.trim();
  if (text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim());
  return entries.every(isAddressOrRange) ? entries : undefined;
}

function isAddressOrRange(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * The form Fastify takes. Fastify 5 treats a bare number as "trust nobody" (a hop count cannot tell a proxy from
 * a client that connects directly), so a count becomes proxy-addr's function: trust the first n hops, nearest
 * first. That is right only where clients cannot reach the app except through those n proxies (Cloud Run).
 */
export function fastifyTrustProxy(
  setting: TrustProxy,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting !== 'number') return setting;
  return (_address, hop) => hop < setting;
}
