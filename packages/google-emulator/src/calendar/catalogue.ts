/**
 * What the generated calendars are made of: realistic series (RFC 5545 rules people actually use in Google
 * Calendar) and single-event titles. Data only; generator.ts draws from it with the account's seed.
 */

/** Zones with DST in both hemispheres, none, and a half-hour offset; several cross DST on different dates. */
export const ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Europe/London',
  'Australia/Sydney',
  'Asia/Kolkata',
  'America/Sao_Paulo',
  'America/Los_Angeles',
  'Asia/Tokyo',
] as const;

export interface SeriesTemplate {
  summary: string;
  /** RRULE value without COUNT/UNTIL (added by the generator). */
  rule: string;
  allDay?: boolean;
  /** Local start hours to pick from (fractions are minutes: 9.5 = 09:30). */
  hours?: number[];
  minutes?: number;
  /** A fixed zone, for the cases that exist to hit a DST gap or overlap. */
  zone?: string;
  /** Never bounded: a birthday does not end. */
  unbounded?: boolean;
}

export const SERIES: SeriesTemplate[] = [
  { summary: 'Daily standup', rule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', hours: [9, 9.5, 10], minutes: 15 },
  { summary: 'Weekly 1:1 with {name}', rule: 'FREQ=WEEKLY;BYDAY=TU', hours: [11, 14, 16], minutes: 30 },
  { summary: 'Weekly 1:1 with {name}', rule: 'FREQ=WEEKLY;BYDAY=TH', hours: [10, 15], minutes: 30 },
  { summary: 'Sprint planning', rule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO', hours: [10], minutes: 90 },
  { summary: 'Sprint retro', rule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=FR', hours: [15, 16], minutes: 60 },
  { summary: 'Monthly business review', rule: 'FREQ=MONTHLY;BYDAY=-1FR', hours: [14], minutes: 60 },
  { summary: 'Board meeting', rule: 'FREQ=MONTHLY;BYDAY=2MO', hours: [9, 13], minutes: 120 },
  { summary: 'Payroll run', rule: 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', hours: [9], minutes: 30 },
  {
    summary: 'Month-start report',
    rule: 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1',
    hours: [8.5],
    minutes: 30,
  },
  { summary: 'Quarterly planning', rule: 'FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU', hours: [10], minutes: 180 },
  { summary: 'Team lunch', rule: 'FREQ=MONTHLY;BYMONTHDAY=15', hours: [12, 12.5], minutes: 60 },
  { summary: 'Book club', rule: 'FREQ=MONTHLY;BYDAY=3WE', hours: [19], minutes: 90 },
  { summary: 'Gym', rule: 'FREQ=WEEKLY;BYDAY=MO,WE,FR', hours: [7, 18, 18.5], minutes: 60 },
  { summary: 'Yoga', rule: 'FREQ=DAILY;INTERVAL=2', hours: [6.5, 7], minutes: 45 },
  { summary: '{language} class', rule: 'FREQ=WEEKLY;BYDAY=TU,TH', hours: [18, 19], minutes: 90 },
  { summary: 'Piano lesson', rule: 'FREQ=WEEKLY;BYDAY=SA', hours: [10, 11], minutes: 45 },
  {
    summary: 'Cross-Atlantic sync',
    rule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=WE',
    hours: [11],
    minutes: 45,
    zone: 'America/New_York',
  },
  {
    summary: 'APAC sync',
    rule: 'FREQ=WEEKLY;BYDAY=MO',
    hours: [8, 9],
    minutes: 30,
    zone: 'Australia/Sydney',
  },
  {
    summary: 'Bangalore standup',
    rule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
    hours: [9.5],
    minutes: 15,
    zone: 'Asia/Kolkata',
  },
  {
    summary: 'São Paulo review',
    rule: 'FREQ=WEEKLY;BYDAY=WE',
    hours: [15],
    minutes: 60,
    zone: 'America/Sao_Paulo',
  },
  // DST edge cases: these local times do not exist once a year and occur twice once a year.
  { summary: 'Backup job (02:30)', rule: 'FREQ=DAILY', hours: [2.5], minutes: 30, zone: 'America/New_York' },
  {
    summary: 'Early Sunday call',
    rule: 'FREQ=WEEKLY;BYDAY=SU',
    hours: [2.5],
    minutes: 60,
    zone: 'Europe/Berlin',
  },
  {
    summary: 'Night deploy window',
    rule: 'FREQ=WEEKLY;BYDAY=SU',
    hours: [1.5],
    minutes: 60,
    zone: 'Europe/London',
  },
  { summary: 'Sydney night batch', rule: 'FREQ=DAILY', hours: [2.5], minutes: 30, zone: 'Australia/Sydney' },
  { summary: 'Annual review', rule: 'FREQ=YEARLY;BYMONTH=3;BYDAY=-1MO', hours: [10], minutes: 60 },
  {
    summary: 'Thanksgiving dinner',
    rule: 'FREQ=YEARLY;BYMONTH=11;BYDAY=4TH',
    hours: [17],
    minutes: 180,
    zone: 'America/New_York',
    unbounded: true,
  },
  { summary: 'Offsite', rule: 'FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=10', hours: [9], minutes: 240 },
  { summary: 'Release train', rule: 'FREQ=WEEKLY;INTERVAL=3;BYDAY=TH', hours: [16], minutes: 30 },
  { summary: "{name}'s birthday", rule: 'FREQ=YEARLY', allDay: true, unbounded: true },
  { summary: 'Anniversary', rule: 'FREQ=YEARLY', allDay: true, unbounded: true },
  { summary: 'Rent due', rule: 'FREQ=MONTHLY;BYMONTHDAY=1', allDay: true },
  { summary: 'Send invoices', rule: 'FREQ=MONTHLY;BYMONTHDAY=-1', allDay: true },
  { summary: 'Bin day', rule: 'FREQ=WEEKLY;BYDAY=TH', allDay: true },
  { summary: 'Payday', rule: 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', allDay: true },
  { summary: 'On call', rule: 'FREQ=WEEKLY;INTERVAL=4;BYDAY=MO', allDay: true },
];

export const NAMES = [
  'Ada',
  'Bruno',
  'Chen',
  'Dalia',
  'Emeka',
  'Fatima',
  'Goran',
  'Hana',
  'Ines',
  'Jonas',
  'Keiko',
  'Luca',
];
export const LANGUAGES = ['Spanish', 'German', 'Japanese', 'Portuguese', 'Hindi'];
export const CITIES = ['Berlin', 'London', 'New York', 'Sydney', 'Mumbai', 'São Paulo', 'Tokyo', 'Lisbon'];
export const PLACES = ['Room 4B', 'Main office', 'Café Lumen', 'Zoom', 'Google Meet', 'Client HQ'];

export const SINGLE_TITLES = [
  'Coffee with {name}',
  'Dentist',
  'Flight to {city}',
  'Interview: backend engineer',
  'Dinner with {name}',
  'Call with {name}',
  'Product demo',
  'Design review',
  'Doctor appointment',
  'Haircut',
  'Car service',
  'Parent-teacher meeting',
  'Vendor pitch',
  'Budget deadline',
  'Workshop: {language} for travellers',
  'Concert',
  'Team offsite prep',
  'Tax advisor',
  'Lunch with {name}',
  'Kickoff: {city} project',
];

export const ALL_DAY_TITLES = [
  'Vacation in {city}',
  'Conference: {city}',
  'Public holiday',
  'Moving day',
  'Hackathon',
];

export const EXCEPTION_TITLES = [
  '(moved)',
  '— remote only',
  '— cancelled agenda, short sync',
  '(room change)',
];
