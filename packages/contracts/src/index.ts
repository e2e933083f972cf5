export * from './emails.ts';
export * from './errors.ts';
export * from './health.ts';
export * from './ingestion.ts';
export * from './me.ts';
export * from './ops.ts';
export * from './realtime.ts';
export * from './tasks.ts';
