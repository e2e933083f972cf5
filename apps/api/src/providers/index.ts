/** Provider ports and their adapters: the public surface of `providers/`. */

export * from './gmail/index.ts';
export type {
  FetchedMail,
  FirstMailPage,
  MailAccount,
  MailChanges,
  MailPacing,
  MailPage,
  MailProfile,
  MailProvider,
  MailProviders,
  MailSource,
  MailWatch,
  OpenOptions,
} from './mail-source.ts';
export { ReauthRequired } from './mail-source.ts';
