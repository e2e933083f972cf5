import { GoogleError } from '../errors.ts';

export { GoogleError };

export const notFound = () => new GoogleError(404, 'notFound', 'Not Found');

/** Google answers this to a delete (or patch) of an event that is already cancelled. */
export const alreadyDeleted = () => new GoogleError(410, 'deleted', 'Resource has been deleted');

/** The documented reply to an expired or invalidated sync token: the client must do a full sync. */
export const fullSyncRequired = () =>
  new GoogleError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.');

export const invalidParameter = (parameter: string, message = `Invalid value for: ${parameter}`) =>
  new GoogleError(400, 'invalid', message, { location: parameter, locationType: 'parameter' });

export const badRequest = (message: string) => new GoogleError(400, 'badRequest', message);
