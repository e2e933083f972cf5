/** A configuration the process refuses to start with; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
