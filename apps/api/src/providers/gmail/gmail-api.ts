import { gmail, type gmail_v1 } from '@googleapis/gmail';
import type { GoogleSettings, OAuth2Client } from '../../google/index.ts';
import { type BatchPartResponse, decodeBatch, encodeBatch } from './batch-codec.ts';
import { METADATA_HEADERS } from './message-parser.ts';

export type Gmail = gmail_v1.Gmail;

/** The real Gmail client, pointed at Google or the emulator by `apiRootUrl`, with a timeout on every call. */
export function gmailClient(oauth: OAuth2Client, settings: GoogleSettings): Gmail {
  return gmail({
    version: 'v1',
    auth: oauth,
    rootUrl: settings.apiRootUrl,
    timeout: settings.requestTimeoutMs,
  });
}

// Gmail: "a batch request can contain up to 100 calls"; more than 50 per batch is not advised.
export const MAX_BATCH_PARTS = 100;

/**
 * `messages.get(format=metadata)` for up to 100 ids in ONE batch request, through the OAuth client (so an
 * expired access token is refreshed first). Each id is answered separately: 200s, and per-part errors (404 for
 * a message deleted since listing, 429 when the per-user limits bite) that the caller decides about.
 */
export async function batchGetMessageMetadata(
  oauth: OAuth2Client,
  settings: GoogleSettings,
  ids: string[],
  /** Cancels the request (the caller hands its work back). */
  signal?: AbortSignal,
): Promise<BatchPartResponse[]> {
  if (ids.length === 0) return [];
  if (ids.length > MAX_BATCH_PARTS) throw new Error(`a Gmail batch holds at most ${MAX_BATCH_PARTS} calls`);
  const query = ['format=metadata', ...METADATA_HEADERS.map((name) => `metadataHeaders=${name}`)].join('&');
  const { contentType, body } = encodeBatch(
    ids.map((id) => ({
      id,
      method: 'GET',
      path: `/gmail/v1/users/me/messages/${encodeURIComponent(id)}?${query}`,
    })),
  );
  const response = await oauth.request<string>({
    url: new URL('batch/gmail/v1', settings.apiRootUrl).toString(),
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body,
    responseType: 'text',
    timeout: settings.requestTimeoutMs,
    ...(signal ? { signal } : {}),
  });
  return decodeBatch(response.headers.get('content-type') ?? '', response.data);
}
