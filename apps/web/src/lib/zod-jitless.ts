import { z } from 'zod';

/**
 * Zod compiles object parsers with `new Function` where it may, and probes for that when a schema is created: under
 * our CSP (`script-src 'self'`, no `'unsafe-eval'`) the probe is refused, and each refusal is a
 * `securitypolicyviolation` report and a console error, though Zod then falls back. Jitless parsing skips the probe.
 * Imported first by main.tsx, before any schema (the contracts) is created.
 */
z.config({ jitless: true });
