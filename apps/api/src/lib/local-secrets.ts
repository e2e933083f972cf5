import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Secrets for the embedded mode: generated once into `${DATA_DIR}/secrets.json` (mode 600) and reused, so
 * sessions and encrypted refresh tokens survive a restart. Production passes them through the environment.
 */
const LocalSecrets = z.object({
  tokenEncryptionKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'base64 of 32 bytes'),
  sessionSecret: z.string().min(32),
});
export type LocalSecrets = z.infer<typeof LocalSecrets>;

export async function loadOrCreateLocalSecrets(dataDir: string): Promise<LocalSecrets> {
  const path = join(dataDir, 'secrets.json');
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing !== undefined) {
    const parsed = LocalSecrets.safeParse(JSON.parse(existing));
    if (!parsed.success)
      throw new Error(`${path} is not valid: ${parsed.error.issues[0]?.message}; delete it to regenerate`);
    return parsed.data;
  }
  const secrets: LocalSecrets = {
    tokenEncryptionKey: randomBytes(32).toString('base64'),
    sessionSecret: randomBytes(32).toString('base64url'),
  };
  await mkdir(dataDir, { recursive: true });
  // 'wx': if another process created it meanwhile, fail rather than overwrite its keys.
  await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return secrets;
}
