/**
 * The raw material of generated mail: who writes, about what. People land in CATEGORY_PERSONAL, services in
 * UPDATES, shops in PROMOTIONS, networks in SOCIAL, lists in FORUMS — as Gmail's tabs would sort them.
 */

export type Category = 'PERSONAL' | 'SOCIAL' | 'PROMOTIONS' | 'UPDATES' | 'FORUMS';

export interface Sender {
  name: string;
  address: string;
  category: Category;
}

export const SENDERS: readonly Sender[] = [
  { name: 'Alice Martin', address: 'alice.martin@example.com', category: 'PERSONAL' },
  { name: 'Bob Nguyen', address: 'bob.nguyen@example.org', category: 'PERSONAL' },
  { name: 'Chloé Dubois', address: 'chloe.dubois@exemple.fr', category: 'PERSONAL' },
  { name: 'Dmitri Ivanov', address: 'd.ivanov@example.net', category: 'PERSONAL' },
  { name: 'Emma Schmidt', address: 'emma@schmidt-family.de', category: 'PERSONAL' },
  { name: 'Farid Haddad', address: 'farid.haddad@example.com', category: 'PERSONAL' },
  { name: 'Grace Okafor', address: 'grace.okafor@example.org', category: 'PERSONAL' },
  { name: 'Hiroshi Tanaka', address: 'hiroshi.tanaka@example.jp', category: 'PERSONAL' },
  { name: 'Inès García', address: 'ines.garcia@ejemplo.es', category: 'PERSONAL' },
  { name: "James O'Brien", address: 'james.obrien@example.ie', category: 'PERSONAL' },
  { name: 'Kavya Reddy', address: 'kavya.reddy@example.in', category: 'PERSONAL' },
  { name: 'Lars Johansson', address: 'lars.johansson@example.se', category: 'PERSONAL' },
  { name: 'Mom', address: 'mom.family@example.com', category: 'PERSONAL' },
  { name: 'Nadia Petrova', address: 'nadia@petrova.example', category: 'PERSONAL' },
  { name: 'Oliver Brown', address: 'oliver.brown@work.example.com', category: 'PERSONAL' },
  { name: 'Priya Shah', address: 'priya.shah@work.example.com', category: 'PERSONAL' },
  { name: 'GitHub', address: 'notifications@github.com', category: 'UPDATES' },
  { name: 'Google', address: 'no-reply@accounts.google.com', category: 'UPDATES' },
  { name: 'Amazon.com', address: 'shipment-tracking@amazon.com', category: 'UPDATES' },
  { name: 'Your Bank', address: 'alerts@bank.example.com', category: 'UPDATES' },
  { name: 'Calendar', address: 'calendar-notification@google.com', category: 'UPDATES' },
  { name: 'Stripe', address: 'receipts@stripe.com', category: 'UPDATES' },
  { name: 'Deutsche Bahn', address: 'buchungsbestaetigung@bahn.de', category: 'UPDATES' },
  { name: 'Airline Check-in', address: 'checkin@airline.example', category: 'UPDATES' },
  { name: 'The Shoe Shop', address: 'newsletter@shoeshop.example', category: 'PROMOTIONS' },
  { name: 'Weekend Deals', address: 'deals@travel.example', category: 'PROMOTIONS' },
  { name: 'Coffee Club', address: 'hello@coffeeclub.example', category: 'PROMOTIONS' },
  { name: 'Bookstore', address: 'offers@books.example', category: 'PROMOTIONS' },
  { name: '', address: 'noreply@marketing.example', category: 'PROMOTIONS' },
  { name: 'LinkedIn', address: 'messages-noreply@linkedin.com', category: 'SOCIAL' },
  { name: 'Facebook', address: 'notification@facebookmail.com', category: 'SOCIAL' },
  { name: 'Mastodon', address: 'notifications@mastodon.social', category: 'SOCIAL' },
  { name: 'Strava', address: 'no-reply@strava.com', category: 'SOCIAL' },
  { name: 'node-dev list', address: 'node-dev@lists.example.org', category: 'FORUMS' },
  { name: 'Hiking Group', address: 'hiking-group@googlegroups.com', category: 'FORUMS' },
  { name: 'Rust Users Forum', address: 'rust-users@discoursemail.com', category: 'FORUMS' },
];

export const SUBJECTS_BY_CATEGORY: Record<Category, readonly string[]> = {
  PERSONAL: [
    'Lunch on {day}?',
    'Re: the photos from {place}',
    'Quick question about {topic}',
    "Can't make it {day}",
    'Notes from our call',
    'Trip to {place} — plans',
    'Happy birthday!',
    'Draft for review: {topic}',
  ],
  UPDATES: [
    'Your order #{number} has shipped',
    'Security alert for your account',
    '[firstlight] Pull request #{number}: fix {topic}',
    'Receipt for your payment of USD {number}',
    'Invitation: {topic} @ {day}',
    'Your statement is ready',
    'Booking confirmation {number}',
  ],
  PROMOTIONS: [
    '{number}% off everything this {day}',
    'Last chance: {topic} sale ends tonight',
    'New arrivals you will love',
    'Your weekly picks from {place}',
  ],
  SOCIAL: ['{name} mentioned you', 'You have {number} new notifications', '{name} sent you a message'],
  FORUMS: ['[list] Re: {topic}', 'Digest for {day}', '[list] Proposal: {topic}'],
};

export const TOPICS = [
  'the budget',
  'Q3 planning',
  'the offsite',
  'pagination',
  'rate limiting',
  'the garden',
  'school pickup',
  'flaky tests',
  'invoice 2291',
  'the move',
];
export const PLACES = ['Lisbon', 'Kyoto', 'the lake', 'Berlin', 'the coast', 'Montréal', 'grandma’s'];
export const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'the weekend', 'next week'];

export const SENTENCES = [
  "Hi, just following up on what we discussed — let me know if that's still OK.",
  'Attached is the latest version; I fixed the numbers in section 2 & 3.',
  'Thanks for the quick reply!',
  'We are happy to let you know that your request has been processed.',
  'Could you take a look before Friday? No rush otherwise.',
  'The meeting moved to 3pm, same room.',
  'I\'ll bring the "good" coffee this time.',
  'Please do not reply to this automated message.',
  'If you did not make this change, secure your account now.',
  'See you soon, and say hi to everyone.',
  'Prices shown include VAT <where applicable>.',
  'Here are the minutes: decisions, owners, and dates.',
];

/** Time zones a Date header is written in, as RFC 5322 offsets. */
export const ZONE_OFFSETS = ['-0800', '-0700', '-0500', '+0000', '+0100', '+0200', '+0530', '+0900'];
