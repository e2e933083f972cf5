/**
 * Tests sign in and call the API far faster than a person: the rate limits are raised out of their way here (the
 * security tests set their own), never by weakening the defaults.
 */
export const UNLIMITED_RATES = { RATE_LIMIT_SIGN_IN_PER_MIN: '1000000', RATE_LIMIT_PER_MIN: '1000000' };
