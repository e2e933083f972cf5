/**
 * `firstlight-cloud-tasks-emulator --port 8123 --queue projects/dev/locations/here/queues/ingest-high`
 * Runs the emulator until SIGINT/SIGTERM. Flags follow ghcr.io/aertje/cloud-tasks-emulator's where they
 * overlap, so docker-compose files can switch between the two.
 */
import { parseArgs } from 'node:util';
import { startCloudTasksEmulator } from './index.ts';

const HELP = `Usage: firstlight-cloud-tasks-emulator [options]

  --host <host>                listen address (default 127.0.0.1; 0.0.0.0 in a container)
  --port <port>                gRPC port (default 8123; 0 = any free port)
  --http-port <port>           port serving /oauth2/v1/certs (default 8124; 0 = any free port)
  --queue <full name>          projects/P/locations/L/queues/Q created at start, repeatable
                               (--initial-queue is accepted too, as in aertje's emulator)
  --max-dispatches-per-second <n>  default rate of queues (default 500)
  --max-concurrent-dispatches <n>  default concurrency of queues (default 1000)
  --max-attempts <n>           default retry budget (-1 unlimited; default 100)
  --min-backoff <seconds>      default 0.1
  --max-backoff <seconds>      default 3600
  --name-retention-ms <ms>     how long finished task names stay taken (default 3600000)
  --quiet                      no dispatch log
  --help`;

const numberOr = (value: string | undefined) => (value === undefined ? undefined : Number(value));
const defined = <T extends object>(value: T) =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined));

async function main() {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'http-port': { type: 'string' },
      queue: { type: 'string', multiple: true },
      'initial-queue': { type: 'string', multiple: true },
      'max-dispatches-per-second': { type: 'string' },
      'max-concurrent-dispatches': { type: 'string' },
      'max-attempts': { type: 'string' },
      'min-backoff': { type: 'string' },
      'max-backoff': { type: 'string' },
      'name-retention-ms': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const emulator = await startCloudTasksEmulator({
    host: values.host,
    port: numberOr(values.port) ?? 8123,
    httpPort: numberOr(values['http-port']) ?? 8124,
    queues: [...(values.queue ?? []), ...(values['initial-queue'] ?? [])],
    defaults: {
      rateLimits: defined({
        maxDispatchesPerSecond: numberOr(values['max-dispatches-per-second']),
        maxConcurrentDispatches: numberOr(values['max-concurrent-dispatches']),
      }),
      retryConfig: defined({
        maxAttempts: numberOr(values['max-attempts']),
        minBackoffSeconds: numberOr(values['min-backoff']),
        maxBackoffSeconds: numberOr(values['max-backoff']),
      }),
    },
    nameRetentionMs: numberOr(values['name-retention-ms']),
    log: values.quiet ? undefined : (line) => console.log(line),
  });
  console.log(
    `cloud-tasks-emulator gRPC on ${emulator.endpoint}:${emulator.port}; OIDC certs at ${emulator.certsUrl}`,
  );
  const stop = async () => {
    await emulator.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
