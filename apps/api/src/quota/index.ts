/** Quota for Google calls: the port every caller asks before spending units (see quota-grants.ts). */

export { type AllocationDemand, type AllocationInput, allocate } from './allocate.ts';
export type {
  QuotaAnswer,
  QuotaClass,
  QuotaGrants,
  QuotaRequest,
  QuotaResource,
} from './quota-grants.ts';
export { QUOTA_CLASSES } from './quota-grants.ts';
