/**
 * `firstlight-google-emulator --port 8085 --accounts demo@example.com:20000 --seed 1 --latency google`
 * Runs the emulator as a server until SIGINT/SIGTERM. Every flag maps to an option of `startEmulator`.
 */
import { parseArgs } from 'node:util';
import { parseAccountPattern } from './account-sets.ts';
import { startEmulator } from './index.ts';
import { parseOptions } from './options.ts';

const HELP = `Usage: firstlight-google-emulator [options]

  --host <host>                 listen address (default 127.0.0.1)
  --port <port>                 listen port (default 8085; 0 = any free port)
  --public-url <url>            URL browsers use to reach this emulator (default: as reached)
  --accounts <list>             email:mailboxSize,... (default demo@example.com:5000)
  --accounts-pattern <p>        many accounts: prefix{first..last}@domain:min-max, sizes drawn per
                                account from [min, max] by the seed; repeatable, after --accounts
  --seed <n>                    data seed (default 1): same seed, same mailboxes and calendars
  --anchor <date>               the data's "now" (ISO date; default today 00:00 UTC)
  --calendars <generated|empty> each account's calendars: generated events, or its primary calendar only
  --latency <none|google|x>     latency profile; a number scales Google's (default google)
  --auto-approve                skip the consent page (login_hint picks the account)
  --client <id:secret>          OAuth client, repeatable (default firstlight-local:firstlight-local-secret)
  --token-ttl <seconds>         access token lifetime (default 3600)
  --quota-window-ms <ms>        length of the quota minute (default 60000)
  --gmail-quota <units>         Gmail units per user per window (default 6000)
  --gmail-project-quota <units> Gmail units per project per window (default 1200000)
  --calendar-quota <requests>   Calendar requests per user per window (default 600)
  --calendar-project-quota <n>  Calendar requests per project per window (default 10000)
  --quota-history <windows>     per-window usage kept for /admin/quota/usage (default 120)
  --concurrency <n>             concurrent requests per user (default 10)
  --no-quota                    switch quota and concurrency limits off
  --error-rate <0..1>           random 429/500/503 on API calls (default 0)
  --state-dir <dir>             keep grants and run-time changes here across restarts (default: memory only)
  --quiet                       no request log
  --help`;

function parseAccounts(list: string) {
  return list.split(',').map((entry) => {
    const [email, size] = entry.trim().split(':');
    return { email: email ?? '', mailboxSize: Number(size ?? 1000) };
  });
}

const numberOr = (value: string | undefined) => (value === undefined ? undefined : Number(value));

async function main() {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'public-url': { type: 'string' },
      accounts: { type: 'string' },
      'accounts-pattern': { type: 'string', multiple: true },
      seed: { type: 'string' },
      anchor: { type: 'string' },
      calendars: { type: 'string' },
      latency: { type: 'string' },
      'auto-approve': { type: 'boolean' },
      client: { type: 'string', multiple: true },
      'token-ttl': { type: 'string' },
      'quota-window-ms': { type: 'string' },
      'gmail-quota': { type: 'string' },
      'gmail-project-quota': { type: 'string' },
      'calendar-quota': { type: 'string' },
      'calendar-project-quota': { type: 'string' },
      concurrency: { type: 'string' },
      'quota-history': { type: 'string' },
      'no-quota': { type: 'boolean' },
      'error-rate': { type: 'string' },
      'state-dir': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const latency =
    values.latency === undefined
      ? undefined
      : /^[\d.]+$/.test(values.latency)
        ? Number(values.latency)
        : values.latency;
  const options = parseOptions({
    host: values.host,
    port: numberOr(values.port) ?? 8085,
    publicUrl: values['public-url'],
    accounts: values.accounts ? parseAccounts(values.accounts) : undefined,
    accountSets: values['accounts-pattern']?.map(parseAccountPattern),
    seed: numberOr(values.seed),
    anchor: values.anchor ? Date.parse(values.anchor) : undefined,
    calendars: values.calendars,
    latency,
    autoApprove: values['auto-approve'],
    clients: values.client?.map((entry) => {
      const [clientId, clientSecret] = entry.split(':');
      return { clientId, clientSecret };
    }),
    accessTokenTtlSeconds: numberOr(values['token-ttl']),
    quota: quotaOf(values),
    faults: values['error-rate'] ? { errorRate: Number(values['error-rate']) } : undefined,
    logger: !values.quiet,
    stateDir: values['state-dir'],
  });
  const emulator = await startEmulator(options);
  const accounts = describeAccounts(options.accounts);
  const state = options.stateDir ? `; state in ${options.stateDir}` : '';
  console.log(
    `google-emulator listening on ${emulator.url}; accounts: ${accounts}; seed ${options.seed}${state}`,
  );
  const stop = async () => {
    await emulator.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** The quota flags given (the rest keep their defaults). */
function quotaOf(values: Record<string, string | boolean | string[] | undefined>) {
  const flag = (name: string) => numberOr(values[name] as string | undefined);
  return Object.fromEntries(
    Object.entries({
      windowMs: flag('quota-window-ms'),
      gmailUnitsPerUser: flag('gmail-quota'),
      gmailUnitsPerProject: flag('gmail-project-quota'),
      calendarRequestsPerUser: flag('calendar-quota'),
      calendarRequestsPerProject: flag('calendar-project-quota'),
      concurrentPerUser: flag('concurrency'),
      historyWindows: flag('quota-history'),
      enabled: values['no-quota'] ? false : undefined,
    }).filter(([, value]) => value !== undefined),
  );
}

/** Every account when few; a count and the total when a pattern made many (one line either way). */
function describeAccounts(accounts: readonly { email: string; mailboxSize: number }[]): string {
  if (accounts.length <= 10)
    return accounts.map((account) => `${account.email} (${account.mailboxSize} messages)`).join(', ');
  const messages = accounts.reduce((sum, account) => sum + account.mailboxSize, 0);
  return `${accounts.length} accounts (${accounts[0]!.email} … ${accounts.at(-1)!.email}, ${messages} messages)`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
