/**
 * Items a source could not read or store (`ingest_failures`), recorded by every source (mail and calendar) and
 * read by ops: a shared capability, so neither source reaches into the other's folder for it.
 */
export {
  countIngestFailures,
  type FailureOwner,
  type IngestFailure,
  listRecentIngestFailures,
  recordFailures,
  recordIngestFailures,
} from './ingest-failure-repository.ts';
