import { calendar } from '@googleapis/calendar';
import type { CalendarProvider, CalendarSource, SourceFailure } from '../../calendar/index.ts';
import type { GoogleSettings } from '../../google/index.ts';
import { type AccountClients, classifyGoogleError, QuotaCharge, ReauthRequired } from '../../google/index.ts';
import type { QuotaGrants } from '../../quota/index.ts';
import { GoogleCalendarSource } from './google-calendar-source.ts';

/** Google Calendar, the first calendar provider: the registry's entry for `accounts.provider = 'google'`. */
export class GoogleCalendarProvider implements CalendarProvider {
  constructor(
    private readonly clients: AccountClients,
    private readonly settings: GoogleSettings,
    /** The project's quota (Calendar: requests); unset, calls are not charged (tests of the adapter alone). */
    private readonly quota?: QuotaGrants,
  ) {}

  async forAccount(accountId: string): Promise<CalendarSource> {
    const { client } = await this.clients.forAccount(accountId);
    const api = calendar({
      version: 'v3',
      auth: client,
      rootUrl: this.settings.calendarRootUrl,
      timeout: this.settings.requestTimeoutMs,
    });
    // Google keys the per-user quota by the user whose grant makes the call: here, the account.
    return new GoogleCalendarSource(api, this.quota && new QuotaCharge(this.quota, 'calendar', accountId));
  }

  classify(error: unknown): SourceFailure {
    return classifyCalendarFailure(error);
  }

  release(accountId: string): void {
    this.clients.forget(accountId);
  }
}

/** What a Google Calendar failure means to the calendar core (calendar-source.ts SourceFailure). */
export function classifyCalendarFailure(error: unknown): SourceFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ReauthRequired) return { kind: 'reauth', message };
  const failure = classifyGoogleError(error);
  if ((error as { response?: { status?: number } }).response?.status === 410)
    return { kind: 'gone', message };
  switch (failure.kind) {
    case 'reauth':
      return { kind: 'reauth', message };
    case 'rate_limited':
      return { kind: 'rate_limited', retryAfterMs: failure.retryAfterMs };
    // A refused access token is refreshed on the next attempt.
    case 'transient':
    case 'unauthorized':
      return { kind: 'transient', message };
    case 'not_found':
      return { kind: 'gone', message };
    default:
      return { kind: 'fatal', message };
  }
}
