/** A plugin that can't be loaded, configured, set up or started. The message starts with its name. */
export class PluginError extends Error {
  constructor(
    readonly plugin: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`plugin "${plugin}": ${message}`, options);
    this.name = 'PluginError';
  }
}
