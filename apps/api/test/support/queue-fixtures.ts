import { randomUUID } from 'node:crypto';
import type { CloudTasksEmulator } from '@firstlight/cloud-tasks-emulator';
import { loadConfig } from '../../src/config.ts';

/** Polls a synchronous condition (set by a test's dispatcher) every 50 ms; the test's timeout bounds it. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** A low-tier batch task of that name, with a payload that passes the contract. */
export const task = (name: string) => ({
  kind: 'mail-batch' as const,
  queue: 'ingest-low' as const,
  name,
  payload: { jobId: randomUUID(), seq: 1, generation: 0 },
});

export const TASKS_SERVICE_ACCOUNT = 'firstlight-tasks@dev.iam.gserviceaccount.com';

/** Cloud Tasks settings for an app on `port` fed by the emulator (its OIDC tokens, its certs). */
export function cloudTasksSettings(cloudTasks: CloudTasksEmulator, port: number) {
  const { tasks } = loadConfig({
    LOG_LEVEL: 'silent',
    TASK_QUEUE: 'cloud-tasks',
    CLOUD_TASKS_EMULATOR_HOST: `127.0.0.1:${cloudTasks.port}`,
    TASKS_TARGET_URL: `http://127.0.0.1:${port}`,
    TASKS_SERVICE_ACCOUNT,
    TASKS_OIDC_CERTS_URL: cloudTasks.certsUrl,
  });
  if (tasks.mode !== 'cloud-tasks') throw new Error('expected cloud-tasks settings');
  return tasks;
}
