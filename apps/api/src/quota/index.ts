/** Quota for Google calls: the port every caller asks before spending units (see quota-grants.ts). */
export {
  createQuotaGrants,
  QUOTA_SCHEDULERS,
  type QuotaGrantsSettings,
  type QuotaSchedulerKind,
} from './create-grants.ts';
export { PerUserGrants, type PerUserGrantsOptions, type PerUserQuota } from './per-user-grants.ts';
export { type BudgetStore, PostgresBudgetStore } from './quota-budget-repository.ts';
export type {
  QuotaAnswer,
  QuotaClass,
  QuotaGrants,
  QuotaRequest,
  QuotaResource,
} from './quota-grants.ts';
export { QUOTA_CLASSES } from './quota-grants.ts';
