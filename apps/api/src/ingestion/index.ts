/**
 * The ingestion core's public surface: the backfill (lister, batches, reconciler, incremental sync) behind
 * the mail source port, the onboarding of a mailbox after sign-in, and progress. Other folders import only
 * this file.
 */
export type { BackfillDeps, BackfillSettings } from './backfill-deps.ts';
export { type BackfillStarter, deferredBackfill } from './backfill-port.ts';
export type { BackfillService } from './backfill-service.ts';
export { createBackfill, DEFAULT_BATCH_SETTINGS } from './ingestion-plugin.ts';
export { InteractiveGate } from './interactive-gate.ts';
export { type OnboardingDeps, type OnboardingResult, onboardMailbox } from './onboarding-service.ts';
export { accountsProgress, mailboxProgress } from './progress.ts';
