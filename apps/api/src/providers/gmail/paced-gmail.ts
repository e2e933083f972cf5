import type { GoogleSettings, OAuth2Client } from '../../google/index.ts';
import { backoffMs, classifyGoogleError, ReauthRequired } from '../../google/index.ts';
import { abortableSleep } from '../../lib/abortable-sleep.ts';
import type { Metrics } from '../../ops/index.ts';
import type { MailPacing } from '../mail-source.ts';
import type { BatchPartResponse } from './batch-codec.ts';
import { batchGetMessageMetadata, gmailClient } from './gmail-api.ts';

/** Gmail's unit costs (GOOGLE-FACTS): what the pacing charges before each call. */
export const GMAIL_COST = {
  getProfile: 1,
  'messages.list': 5,
  'messages.get': 5,
  'history.list': 2,
} as const;

export class GiveUp extends Error {}

export interface PacedGmailOptions {
  /** Attempts of one call (or one batch chunk) before the task is handed back to the queue. */
  maxAttempts: number;
  /** Aborted when the work must stop (lease lost, shutdown): waits end and calls in flight are cancelled. */
  signal?: AbortSignal | undefined;
}

/**
 * Gmail for background work: every call goes through the user's pacing (quota units and concurrency), has a
 * timeout (the client's is set from GOOGLE_TIMEOUT_MS), and is retried with exponential backoff and jitter on
 * 429 / rate-limit 403s (penalising the user, honouring Retry-After) and on 5xx or dropped connections.
 * `invalid_grant` surfaces as ReauthRequired: no retry storm on a revoked account.
 */
export class PacedGmail {
  readonly #gmail;
  readonly #signal: AbortSignal | undefined;

  constructor(
    private readonly oauth: OAuth2Client,
    private readonly settings: GoogleSettings,
    private readonly pacing: MailPacing,
    private readonly metrics: Metrics,
    private readonly options: PacedGmailOptions,
  ) {
    this.#gmail = gmailClient(oauth, settings);
    this.#signal = options.signal;
  }

  async profile() {
    const response = await this.#call('getProfile', GMAIL_COST.getProfile, () =>
      this.#gmail.users.getProfile({ userId: 'me' }, this.#requestOptions),
    );
    return response.data;
  }

  async listPage(pageToken: string | null, maxResults: number) {
    const response = await this.#call('messages.list', GMAIL_COST['messages.list'], () =>
      this.#gmail.users.messages.list(
        { userId: 'me', maxResults, ...(pageToken ? { pageToken } : {}) },
        this.#requestOptions,
      ),
    );
    return response.data;
  }

  async history(startHistoryId: string, pageToken: string | null) {
    const response = await this.#call('history.list', GMAIL_COST['history.list'], () =>
      this.#gmail.users.history.list(
        {
          userId: 'me',
          startHistoryId,
          maxResults: 500,
          historyTypes: ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'],
          ...(pageToken ? { pageToken } : {}),
        },
        this.#requestOptions,
      ),
    );
    return response.data;
  }

  /**
   * `messages.get(metadata)` for ≤ 100 ids in one batch request. Parts answered 429/5xx are retried (only
   * those) until `maxAttempts`; 200s and 404s (deleted since listing) come back.
   */
  async metadata(ids: string[]): Promise<BatchPartResponse[]> {
    const done: BatchPartResponse[] = [];
    let pending = ids;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= this.options.maxAttempts) {
        throw new GiveUp(`${pending.length} messages still failing after ${attempt} attempts`);
      }
      const parts = await this.#call('batch', pending.length * GMAIL_COST['messages.get'], () =>
        batchGetMessageMetadata(this.oauth, this.settings, pending, this.#signal),
      );
      const retry: string[] = [];
      let rateLimited = false;
      for (const part of parts) {
        this.metrics.gmailCalls.inc({ method: 'messages.get', status: String(part.status) });
        if (part.status === 429 || part.status === 403 || part.status >= 500) {
          rateLimited ||= part.status !== 500 && part.status !== 503;
          retry.push(part.id);
        } else {
          done.push(part);
        }
      }
      if (retry.length > 0) {
        const wait = backoffMs(attempt);
        this.metrics.backoffs.inc({ reason: rateLimited ? 'rate_limited' : 'transient' });
        if (rateLimited) await this.pacing.penalise(wait);
        else await abortableSleep(wait, this.#signal);
      }
      pending = retry;
    }
    return done;
  }

  get #requestOptions() {
    return this.#signal ? { signal: this.#signal } : {};
  }

  async #call<T>(method: string, units: number, call: () => Promise<T>): Promise<T> {
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.pacing.run(units, call, this.#signal);
        this.metrics.quotaUnits.inc(units);
        if (method !== 'batch') this.metrics.gmailCalls.inc({ method, status: '200' });
        return result;
      } catch (error) {
        // Stopped on purpose (lease lost, shutdown): not Google's failure, nothing to retry.
        this.#signal?.throwIfAborted();
        const failure = classifyGoogleError(error);
        const status = 'status' in failure ? String(failure.status) : failure.kind;
        this.metrics.gmailCalls.inc({ method, status });
        if (failure.kind === 'reauth') throw new ReauthRequired(failure.message);
        if (failure.kind === 'unauthorized') {
          // google-auth-library refreshes on its own only a token it believes expired (expiry_date), so a token
          // Google ended early keeps answering 401. Drop it and retry once: the refresh either brings a new one
          // or answers invalid_grant (→ reauth). A 401 right after a refresh means the grant is gone.
          if (refreshed) throw new ReauthRequired(failure.message);
          refreshed = true;
          this.oauth.setCredentials({ ...this.oauth.credentials, access_token: null, expiry_date: null });
          continue;
        }
        if (failure.kind === 'fatal' || failure.kind === 'not_found') throw error;
        if (attempt + 1 >= this.options.maxAttempts)
          throw new GiveUp(`${method}: ${failure.kind} after ${attempt + 1} attempts`);
        const wait = Math.max(
          backoffMs(attempt),
          failure.kind === 'rate_limited' ? (failure.retryAfterMs ?? 0) : 0,
        );
        this.metrics.backoffs.inc({ reason: failure.kind });
        if (failure.kind === 'rate_limited') await this.pacing.penalise(wait);
        else await abortableSleep(wait, this.#signal);
      }
    }
  }
}
