import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudTasksClient } from '@google-cloud/tasks';
import { credentials } from '@grpc/grpc-js';
import { type CloudTasksEmulator, type EmulatorOptionsInput, startCloudTasksEmulator } from '../src/index.ts';

export const QUEUE = 'projects/test/locations/here/queues/ingest';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** When the request arrived (ms); dispatch starts are what rate tests space out. */
  at: number;
}

/**
 * A target that records every request and answers with whatever `respond` says; `concurrent` tracks
 * how many requests it is holding at once, observed from the target's side.
 */
export async function startTarget(
  respond: (
    request: Received,
    index: number,
  ) => { status: number; delayMs?: number; headers?: Record<string, string> } = () => ({
    status: 200,
  }),
) {
  const received: Received[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const server = createServer((request, response) => {
    concurrent += 1;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    const at = Date.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
        at,
      };
      received.push(entry);
      const answer = respond(entry, received.length - 1);
      setTimeout(() => {
        concurrent -= 1;
        response.writeHead(answer.status, answer.headers).end();
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    maxConcurrent: () => maxConcurrent,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The real client, configured exactly as the product configures it against a local emulator. */
export function tasksClient(emulator: CloudTasksEmulator): CloudTasksClient {
  return new CloudTasksClient({
    apiEndpoint: emulator.endpoint,
    port: emulator.port,
    sslCreds: credentials.createInsecure(),
    // Without it google-auth-library asks the GCE metadata server for the universe domain (a warning and a delay).
    universeDomain: 'googleapis.com',
  });
}

/** An emulator with one queue and short backoffs, plus a client; `stop` closes both. */
export async function startEmulatorWithClient(options: EmulatorOptionsInput = {}) {
  const emulator = await startCloudTasksEmulator({
    queues: [QUEUE],
    defaults: { retryConfig: { minBackoffSeconds: 0.05, maxBackoffSeconds: 0.2 } },
    ...options,
  });
  const client = tasksClient(emulator);
  return {
    emulator,
    client,
    stop: async () => {
      await client.close();
      await emulator.close();
    },
  };
}

/** The gRPC status code of a rejected client call. */
export async function rpcCode(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: number }).code;
  }
}
