import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OidcSigner } from './oidc.ts';

/**
 * Serves the signing keys where Google serves its own, so a target verifying OIDC tokens only needs its
 * certs URL pointed here: `/oauth2/v1/certs` (kid → PEM) and `/oauth2/v3/certs` (JWK set).
 */
export async function startCertsServer(
  signer: OidcSigner,
  host: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const body =
      path === '/oauth2/v1/certs'
        ? signer.pemCerts()
        : path === '/oauth2/v3/certs'
          ? signer.jwks()
          : undefined;
    if (request.method !== 'GET' || body === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
