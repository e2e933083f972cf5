import { CloudTasksClient } from '@google-cloud/tasks';
import { credentials } from '@grpc/grpc-js';
import type { TasksConfig } from '../config.ts';
import type { TaskDispatcher, TaskQueue, TaskRequest } from './task-queue.ts';

type CloudTasksSettings = Extract<TasksConfig, { mode: 'cloud-tasks' }>;

/** gRPC ALREADY_EXISTS: Cloud Tasks refuses a task name used in the last hour or so. */
const ALREADY_EXISTS = 6;

/**
 * The Cloud Tasks adapter: HTTP-target tasks `POST {target}/tasks/<kind>` with a JSON body and an OIDC token of
 * our service account (audience = the target URL), created with the real `@google-cloud/tasks` client. Against
 * an emulator (`CLOUD_TASKS_EMULATOR_HOST`) the client speaks gRPC with insecure credentials — the only
 * transport the community emulator has. Tasks come back through the `/tasks/*` routes (task-routes.ts).
 */
export class CloudTasksQueue implements TaskQueue {
  readonly description: string;
  readonly #client: CloudTasksClient;

  constructor(private readonly settings: CloudTasksSettings) {
    if (settings.emulatorHost) {
      const [host, port] = settings.emulatorHost.split(':');
      this.#client = new CloudTasksClient({
        apiEndpoint: host,
        port: Number(port),
        sslCreds: credentials.createInsecure(),
        // Without it the auth library asks the GCE metadata server for the universe domain (a stall off GCP).
        universeDomain: 'googleapis.com',
      });
      this.description = `Cloud Tasks emulator at ${settings.emulatorHost}`;
    } else {
      this.#client = new CloudTasksClient();
      this.description = `Cloud Tasks (${settings.project}/${settings.location})`;
    }
  }

  async enqueue(task: TaskRequest): Promise<{ accepted: boolean }> {
    const parent = this.#client.queuePath(this.settings.project, this.settings.location, task.queue);
    try {
      await this.#client.createTask({
        parent,
        task: {
          name: `${parent}/tasks/${task.name}`,
          httpRequest: {
            url: `${this.settings.targetUrl}/tasks/${task.kind}`,
            httpMethod: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: Buffer.from(JSON.stringify(task.payload)),
            oidcToken: {
              serviceAccountEmail: this.settings.serviceAccount,
              audience: this.settings.audience,
            },
          },
          ...(task.delayMs
            ? { scheduleTime: { seconds: Math.ceil((Date.now() + task.delayMs) / 1000) } }
            : {}),
        },
      });
      return { accepted: true };
    } catch (error) {
      if ((error as { code?: number }).code === ALREADY_EXISTS) return { accepted: false };
      throw error;
    }
  }

  /** Cloud Tasks pushes to our HTTP routes: nothing to poll. */
  async start(_dispatch: TaskDispatcher): Promise<void> {}

  async stop(): Promise<void> {
    await this.#client.close();
  }
}
