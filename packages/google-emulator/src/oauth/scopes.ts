/** Google's scope URLs the emulator understands, and which API each one opens. */
export const SCOPE = {
  gmailReadonly: 'https://www.googleapis.com/auth/gmail.readonly',
  gmailMetadata: 'https://www.googleapis.com/auth/gmail.metadata',
  gmailModify: 'https://www.googleapis.com/auth/gmail.modify',
  mailFull: 'https://mail.google.com/',
  calendar: 'https://www.googleapis.com/auth/calendar',
  calendarEvents: 'https://www.googleapis.com/auth/calendar.events',
  calendarReadonly: 'https://www.googleapis.com/auth/calendar.readonly',
  calendarEventsReadonly: 'https://www.googleapis.com/auth/calendar.events.readonly',
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
} as const;

/** Google accepts the short OpenID names and answers with the long ones (plus `openid`). */
const ALIASES: Record<string, string> = { email: SCOPE.email, profile: SCOPE.profile };

export function normaliseScopes(scope: string): string[] {
  const scopes = scope
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((name) => ALIASES[name] ?? name);
  return [...new Set(scopes)];
}

const GMAIL_READ: readonly string[] = [
  SCOPE.gmailReadonly,
  SCOPE.gmailModify,
  SCOPE.mailFull,
  SCOPE.gmailMetadata,
];
const CALENDAR_READ: readonly string[] = [
  SCOPE.calendar,
  SCOPE.calendarEvents,
  SCOPE.calendarReadonly,
  SCOPE.calendarEventsReadonly,
];
const CALENDAR_WRITE: readonly string[] = [SCOPE.calendar, SCOPE.calendarEvents];

/** Whether the granted scopes allow a call of this API (writes need a write scope). */
export function scopesAllow(granted: string[], api: 'gmail' | 'calendar', write: boolean): boolean {
  const needed = api === 'gmail' ? GMAIL_READ : write ? CALENDAR_WRITE : CALENDAR_READ;
  return granted.some((scope) => needed.includes(scope));
}

/** Human words for the consent page. */
export function describeScope(scope: string): string {
  switch (scope) {
    case 'openid':
      return 'Associate you with your personal info on Google';
    case SCOPE.email:
      return 'See your primary Google Account email address';
    case SCOPE.profile:
      return 'See your personal info, including any personal info you have made publicly available';
    case SCOPE.gmailReadonly:
      return 'View your email messages and settings';
    case SCOPE.gmailMetadata:
      return 'View your email message metadata such as labels and headers, but not the email body';
    case SCOPE.calendarEvents:
      return 'View and edit events on all your calendars';
    case SCOPE.calendar:
      return 'See, edit, share, and permanently delete all the calendars you can access using Google Calendar';
    case SCOPE.calendarReadonly:
      return 'See and download any calendar you can access using your Google Calendar';
    default:
      return scope;
  }
}
