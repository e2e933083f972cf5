import { Server, ServerCredentials } from '@grpc/grpc-js';
import { startCertsServer } from './certs-server.ts';
import { cloudTasksHandlers } from './grpc-service.ts';
import type { QueueStats, TaskRecord } from './model.ts';
import { createOidcSigner } from './oidc.ts';
import { type EmulatorOptionsInput, parseOptions } from './options.ts';
import { loadCloudTasksService } from './proto-loader.ts';
import { CloudTasksState } from './state.ts';

export type { HttpMethod, HttpTarget, QueueStats, TaskRecord } from './model.ts';
export {
  EmulatorOptions,
  type EmulatorOptionsInput,
  parseOptions,
  QueueSettings,
  type QueueSettingsInput,
  RateLimits,
  RetryConfig,
} from './options.ts';

export interface CloudTasksEmulatorAdmin {
  /** Per full queue name. */
  stats(): Record<string, QueueStats>;
  /** Snapshot of the tasks still in a queue (pending or in flight). */
  tasks(queueName: string): TaskRecord[];
  /** Resolves once no queue has pending or in-flight tasks; rejects after `timeoutMs`. */
  waitForIdle(timeoutMs?: number): Promise<void>;
  /** kid → PEM public key, for `OAuth2Client.verifySignedJwtWithCertsAsync(token, certs, audience, issuers)`. */
  oidcPemCerts(): Record<string, string>;
}

export interface CloudTasksEmulator {
  /** gRPC port, for `new CloudTasksClient({ apiEndpoint: endpoint, port, sslCreds: credentials.createInsecure() })`. */
  port: number;
  endpoint: string;
  /** Port of the HTTP server that serves the OIDC certs. */
  httpPort: number;
  /** `http://host:httpPort/oauth2/v1/certs` */
  certsUrl: string;
  admin: CloudTasksEmulatorAdmin;
  close(): Promise<void>;
}

/** A copy callers may keep or change without touching the live record (structuredClone would turn Buffers into Uint8Arrays). */
function snapshot(task: TaskRecord): TaskRecord {
  const { httpRequest } = task;
  return {
    ...task,
    httpRequest: { ...httpRequest, headers: { ...httpRequest.headers }, body: Buffer.from(httpRequest.body) },
    firstAttempt: task.firstAttempt && { ...task.firstAttempt },
    lastAttempt: task.lastAttempt && { ...task.lastAttempt },
  };
}

/**
 * Starts a local stand-in of Cloud Tasks v2: the gRPC API the real `@google-cloud/tasks` client speaks,
 * and a dispatcher that delivers HTTP-target tasks with Google's headers, retries and rate limits.
 *
 * @example
 * const emulator = await startCloudTasksEmulator({ queues: ['projects/dev/locations/here/queues/ingest'] });
 * const client = new CloudTasksClient({
 *   apiEndpoint: emulator.endpoint, port: emulator.port, sslCreds: grpc.credentials.createInsecure(),
 * });
 */
export async function startCloudTasksEmulator(input: EmulatorOptionsInput = {}): Promise<CloudTasksEmulator> {
  const options = parseOptions(input);
  const signing = createOidcSigner();
  const service = loadCloudTasksService();
  const signer = await signing;
  const state = new CloudTasksState(options, signer);
  for (const name of options.queues) state.createQueue(name);
  const server = new Server();
  server.addService(service, cloudTasksHandlers(state));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  const certs = await startCertsServer(signer, options.host, options.httpPort);
  const endpoint = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;

  const idle = () => state.allQueues().every((queue) => queue.inFlight === 0 && queue.tasks.size === 0);
  const admin: CloudTasksEmulatorAdmin = {
    stats: () => state.stats(),
    tasks: (queueName) => [...state.queue(queueName).tasks.values()].map(snapshot),
    oidcPemCerts: () => signer.pemCerts(),
    waitForIdle: (timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        // Polling keeps the dispatcher free of test hooks; 10 ms is below any timing a test asserts.
        const check = () => {
          if (idle()) return resolve();
          if (Date.now() >= deadline) {
            return reject(
              new Error(
                `Cloud Tasks emulator not idle after ${timeoutMs} ms: ${JSON.stringify(state.stats())}`,
              ),
            );
          }
          setTimeout(check, 10);
        };
        check();
      }),
  };

  return {
    port,
    endpoint,
    httpPort: certs.port,
    certsUrl: `http://${endpoint}:${certs.port}/oauth2/v1/certs`,
    admin,
    close: async () => {
      state.close();
      await Promise.all([
        new Promise<void>((resolve) => {
          // A client that keeps its channel open would hold a graceful shutdown forever.
          const force = setTimeout(() => server.forceShutdown(), 1000);
          server.tryShutdown(() => {
            clearTimeout(force);
            resolve();
          });
        }),
        new Promise<void>((resolve) => {
          certs.server.close(() => resolve());
          certs.server.closeAllConnections();
        }),
      ]);
    },
  };
}
