import http from 'node:http';
import https from 'node:https';
import type { HttpTarget } from './model.ts';

/** What one attempt produced: an HTTP answer, or no answer before the deadline / a connection failure. */
export type AttemptOutcome =
  | { kind: 'response'; status: number; retryAfter: string | undefined }
  | { kind: 'timeout' }
  | { kind: 'error'; message: string };

/** Headers the task may not set (target.proto): Cloud Tasks computes or replaces them. */
const RESERVED_HEADER = /^(host|content-length|user-agent|x-google-.*|x-appengine-.*|x-cloudtasks-.*)$/i;

export function targetHeaders(
  target: HttpTarget,
  cloudTasksHeaders: Record<string, string>,
  authorization: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.headers)) {
    // An oidcToken/oauthToken overrides any Authorization the task carries (target.proto).
    if (RESERVED_HEADER.test(name) || (authorization && name.toLowerCase() === 'authorization')) continue;
    headers[name] = value;
  }
  // No Content-Type is added: Cloud Tasks sends only what the task set.
  headers['User-Agent'] = 'Google-Cloud-Tasks';
  Object.assign(headers, cloudTasksHeaders);
  if (authorization) headers.Authorization = authorization;
  if (target.body.length > 0 || ['POST', 'PUT', 'PATCH'].includes(target.httpMethod)) {
    headers['Content-Length'] = String(target.body.length);
  }
  return headers;
}

/**
 * Sends one attempt and waits for the whole answer, within `deadlineMs` (the task's dispatch deadline).
 * node:http rather than fetch so that no header we did not choose (accept, sec-fetch-mode…) is sent.
 */
export function sendAttempt(
  target: HttpTarget,
  headers: Record<string, string>,
  deadlineMs: number,
  agents: { http: http.Agent; https: https.Agent },
): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const url = new URL(target.url);
    const secure = url.protocol === 'https:';
    const request = (secure ? https : http).request(url, {
      method: target.httpMethod,
      headers,
      agent: secure ? agents.https : agents.http,
    });
    const timer = setTimeout(() => {
      finish({ kind: 'timeout' });
      request.destroy();
    }, deadlineMs);
    request.on('response', (response) => {
      const retryAfter = response.headers['retry-after'];
      // The attempt ends when the target has finished answering, as for Google's dispatcher.
      response.on('end', () => finish({ kind: 'response', status: response.statusCode ?? 0, retryAfter }));
      response.on('error', (error) => finish({ kind: 'error', message: error.message }));
      response.resume();
    });
    request.on('error', (error) => finish({ kind: 'error', message: error.message }));
    request.end(target.body.length > 0 ? target.body : undefined);
  });
}

/** google.rpc.Code for an HTTP status, as Cloud Tasks reports it in `Attempt.response_status`. */
export function rpcCodeForHttp(status: number): number {
  if (status >= 200 && status < 300) return 0;
  const known: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 10, 429: 8, 499: 1, 500: 13 };
  const byCode = known[status] ?? { 501: 12, 503: 14, 504: 4 }[status];
  if (byCode !== undefined) return byCode;
  return status >= 400 && status < 500 ? 9 : 2;
}
