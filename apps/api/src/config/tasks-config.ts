import type { QueueName } from '@firstlight/contracts';
import { ConfigError } from './config-error.ts';
import type { EnvVars } from './env-schema.ts';

/**
 * The task queue: `embedded` (pg-boss in our PostgreSQL) or `cloud-tasks` (the real client; against the
 * emulator when CLOUD_TASKS_EMULATOR_HOST is set, over insecure gRPC).
 */
export type TasksConfig =
  | {
      mode: 'embedded';
      /** Workers per queue in this process (TASK_WORKERS); the queue's defaults where unset. */
      workers: Partial<Record<QueueName, number>>;
    }
  | {
      mode: 'cloud-tasks';
      project: string;
      location: string;
      emulatorHost: string | undefined;
      /** Where Cloud Tasks sends tasks: `${targetUrl}/tasks/<kind>`. */
      targetUrl: string;
      serviceAccount: string;
      /** The OIDC audience our /tasks routes require (default: the target URL). */
      audience: string;
      /** Keys that sign the OIDC tokens (PEM map or JWKS): Google's by default, the emulator's in docker-compose. */
      certsUrl: string;
      /** Accepted `iss` of those tokens: Google's by default. */
      issuers: string[];
    };

export function tasksConfig(vars: EnvVars, publicUrl: string): TasksConfig {
  if (vars.TASK_QUEUE === 'embedded') {
    const workers = Object.fromEntries(
      (vars.TASK_WORKERS?.split(',') ?? []).map((entry) => {
        const [queue, count] = entry.split('=');
        return [queue, Number(count)];
      }),
    );
    return { mode: 'embedded', workers };
  }
  const targetUrl = (vars.TASKS_TARGET_URL ?? publicUrl).replace(/\/$/, '');
  if (!vars.TASKS_SERVICE_ACCOUNT) {
    throw new ConfigError(
      'invalid configuration: TASKS_SERVICE_ACCOUNT is required when TASK_QUEUE=cloud-tasks',
    );
  }
  return {
    mode: 'cloud-tasks',
    project: vars.CLOUD_TASKS_PROJECT,
    location: vars.CLOUD_TASKS_LOCATION,
    emulatorHost: vars.CLOUD_TASKS_EMULATOR_HOST,
    targetUrl,
    serviceAccount: vars.TASKS_SERVICE_ACCOUNT,
    audience: vars.TASKS_OIDC_AUDIENCE ?? targetUrl,
    certsUrl: vars.TASKS_OIDC_CERTS_URL ?? 'https://www.googleapis.com/oauth2/v1/certs',
    issuers: vars.TASKS_OIDC_ISSUER
      ? [vars.TASKS_OIDC_ISSUER]
      : ['https://accounts.google.com', 'accounts.google.com'],
  };
}
