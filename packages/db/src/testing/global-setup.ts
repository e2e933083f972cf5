import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDatabase } from '../connect.ts';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../embedded-postgres.ts';
import { migrate } from '../migrator.ts';

/**
 * Vitest global setup: one PostgreSQL for the whole run — `TEST_DATABASE_URL` when set (any database on a
 * server where we may CREATE DATABASE), else an embedded one in a temporary folder. It builds a template
 * database with every migration applied, so each test file clones its own fresh database in milliseconds.
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedPostgresHandle | undefined;
  let tempDir: string | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    tempDir = await mkdtemp(join(tmpdir(), 'firstlight-test-pg-'));
    await chmod(tempDir, 0o755); // postgres runs as its own user when we are root: let it in
    embedded = await startEmbeddedPostgres({
      dataDir: join(tempDir, 'pg'),
      database: 'postgres',
      // A throwaway cluster: durability buys nothing here and costs seconds.
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
    });
    adminUrl = embedded.adminUrl;
  }

  const template = `fl_template_${process.pid}`;
  await runAdmin(adminUrl, async (client) => {
    await client.query(`drop database if exists ${template}`);
    await client.query(`create database ${template}`);
  });
  const templateDb = createDatabase({ connectionString: withDatabase(adminUrl, template), max: 1 });
  try {
    await migrate(templateDb);
  } finally {
    await templateDb.destroy();
  }
  project.provide('testPostgres', { adminUrl, template });

  return async () => {
    await runAdmin(adminUrl, (client) => client.query(`drop database if exists ${template} with (force)`));
    await embedded?.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  };
}

export async function runAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
