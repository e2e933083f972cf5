import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE, startEmulatorWithClient, startTarget } from './harness.ts';

const ISSUERS = ['https://accounts.google.com'];
const SERVICE_ACCOUNT = 'tasks-invoker@test.iam.gserviceaccount.com';

describe('OIDC tokens', () => {
  let env: Awaited<ReturnType<typeof startEmulatorWithClient>>;
  let target: Awaited<ReturnType<typeof startTarget>>;
  beforeAll(async () => {
    target = await startTarget();
    env = await startEmulatorWithClient();
  });
  afterAll(async () => {
    await env.stop();
    await target.close();
  });

  async function tokenFor(oidcToken: { serviceAccountEmail: string; audience?: string }, path: string) {
    await env.client.createTask({
      parent: QUEUE,
      task: { httpRequest: { url: `${target.url}${path}`, oidcToken } },
    });
    await env.emulator.admin.waitForIdle(5000);
    const request = target.received.find((received) => received.url === path);
    const authorization = String(request?.headers.authorization ?? '');
    expect(authorization).toMatch(/^Bearer /);
    return authorization.slice('Bearer '.length);
  }

  it('signs a token that google-auth-library verifies against the emulator certs', async () => {
    const token = await tokenFor(
      { serviceAccountEmail: SERVICE_ACCOUNT, audience: 'https://api.firstlight.test' },
      '/a',
    );
    const certs = env.emulator.admin.oidcPemCerts();
    const ticket = await new OAuth2Client().verifySignedJwtWithCertsAsync(
      token,
      certs,
      'https://api.firstlight.test',
      ISSUERS,
    );
    const payload = ticket.getPayload();
    expect(payload).toMatchObject({ email: SERVICE_ACCOUNT, email_verified: true, iss: ISSUERS[0] });
    expect(payload?.sub).toMatch(/^\d{21}$/);

    await expect(
      new OAuth2Client().verifySignedJwtWithCertsAsync(token, certs, 'https://someone-else.test', ISSUERS),
    ).rejects.toThrow(/audience/i);
  });

  it('defaults the audience to the target URL and serves the certs over HTTP', async () => {
    const token = await tokenFor({ serviceAccountEmail: SERVICE_ACCOUNT }, '/b');
    const served = (await (await fetch(env.emulator.certsUrl)).json()) as Record<string, string>;
    expect(served).toEqual(env.emulator.admin.oidcPemCerts());
    const ticket = await new OAuth2Client().verifySignedJwtWithCertsAsync(
      token,
      served,
      `${target.url}/b`,
      ISSUERS,
    );
    expect(ticket.getPayload()?.aud).toBe(`${target.url}/b`);
  });
});
