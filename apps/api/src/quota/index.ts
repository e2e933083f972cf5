/** Quota for Google calls: the port every caller asks before spending units (see quota-grants.ts). */
export { type AllocationDemand, type AllocationInput, allocate } from './allocate.ts';
export { createQuotaGrants } from './create-quota-grants.ts';
export { PerUserGrants, type PerUserGrantsOptions, type PerUserQuota } from './per-user-grants.ts';
export {
  ProjectQuotaScheduler,
  type ProjectSchedulerOptions,
  type QuotaObserver,
} from './project-scheduler.ts';
export { type BudgetStore, PostgresBudgetStore } from './quota-budget-repository.ts';
export type {
  CreditListener,
  QuotaAnswer,
  QuotaClass,
  QuotaGrants,
  QuotaRequest,
  QuotaResource,
} from './quota-grants.ts';
export { QUOTA_CLASSES } from './quota-grants.ts';
export { quotaCapability } from './quota-plugin.ts';
export { QuotaTickLoop } from './quota-tick-loop.ts';
