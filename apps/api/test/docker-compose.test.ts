import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** `docker compose` (plugin) or Debian's `docker-compose` (1.29): both validate a file with no engine. */
function composeCommand(): string[] | undefined {
  if (spawnSync('docker', ['compose', 'version']).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version']).status === 0) return ['docker-compose'];
  return undefined;
}

const compose = composeCommand();
// CI installs docker-compose (.ci/run), so there the check always runs; on a laptop without it, it is skipped.
const requireCompose = process.env.CI === 'true';

describe('docker-compose.yml', () => {
  it.skipIf(!compose && !requireCompose)('is accepted by `docker compose config`', () => {
    expect(compose, 'docker-compose is not installed (apt-get install docker-compose)').toBeDefined();
    const [command, ...args] = compose!;
    const result = spawnSync(command!, [...args, '-f', 'docker-compose.yml', 'config', '--services'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n').sort()).toEqual(
      expect.arrayContaining(['api', 'cloud-tasks', 'google-emulator', 'postgres']),
    );
  });
});
