import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { errorSummary, loggerOptions, maskedUrl } from './log-redaction.ts';

/** The app's logger options into a string: what a log line would hold. */
function logged(write: (log: pino.Logger) => void): string {
  const lines: string[] = [];
  write(pino(loggerOptions('debug'), { write: (line: string) => void lines.push(line) }));
  return lines.join('');
}

/** The shape gaxios gives a failed Google call: the request (body, bearer) and the response ride along. */
function googleFailure() {
  return Object.assign(new Error('Backend Error'), {
    name: 'GaxiosError',
    status: 503,
    config: {
      method: 'PATCH',
      url: 'https://www.googleapis.com/calendar/v3/calendars/primary/events/abc_20260302T090000Z?alt=json&key=k',
      headers: { authorization: 'Bearer ya29.secret-access-token' },
      data: { summary: 'Dentist — private' },
    },
    response: {
      status: 503,
      data: { error: { code: 503, message: 'Backend Error', errors: [{ reason: 'backendError' }] } },
      headers: { 'set-cookie': 'NID=secret' },
    },
  });
}

describe('log redaction', () => {
  it('masks query values except the harmless ones', () => {
    expect(maskedUrl('/auth/google/callback?state=s3cret&code=4/0Ab&scope=email')).toBe(
      '/auth/google/callback?state=[redacted]&code=[redacted]&scope=[redacted]',
    );
    expect(maskedUrl('/api/calendar/events?from=2026-01-01T00:00:00Z&to=x&cursor=abc')).toBe(
      '/api/calendar/events?from=2026-01-01T00%3A00%3A00Z&to=x&cursor=[redacted]',
    );
    expect(maskedUrl('/healthz')).toBe('/healthz');
  });

  it('logs a Google error as status, reason, method and URL without query, nothing else of it', () => {
    const text = logged((log) => log.warn({ err: googleFailure() }, 'write-back failed'));
    const entry = JSON.parse(text) as { err: Record<string, unknown> };
    expect(entry.err).toMatchObject({
      type: 'GaxiosError',
      status: 503,
      reason: 'backendError',
      method: 'PATCH',
      url: 'https://www.googleapis.com/calendar/v3/calendars/primary/events/abc_20260302T090000Z',
    });
    for (const leak of ['Dentist', 'ya29.', 'NID=secret', 'key=k']) expect(text).not.toContain(leak);
  });

  it('summarises causes and plain objects, and censors tokens and cookies anywhere in a log object', () => {
    const wrapped = new Error('sync failed', { cause: googleFailure() });
    expect(errorSummary(wrapped).cause).toMatchObject({ status: 503, reason: 'backendError' });
    expect(errorSummary({ message: 'refused', code: 'ECONNREFUSED', detail: 'row (a@b)' })).toEqual({
      message: 'refused',
      code: 'ECONNREFUSED',
    });
    const text = logged((log) =>
      log.info(
        {
          tokens: { access_token: 'at-1', refresh_token: 'rt-1' },
          grant: { refresh_token: 'rt-2', id_token: 'it-2' },
          req: {
            method: 'GET',
            url: '/x?code=abc',
            headers: { cookie: 'fl_session=s', authorization: 'Bearer b' },
          },
        },
        'context',
      ),
    );
    for (const leak of ['at-1', 'rt-1', 'rt-2', 'it-2', 'fl_session=s', 'Bearer b', 'code=abc']) {
      expect(text, leak).not.toContain(leak);
    }
  });
});
