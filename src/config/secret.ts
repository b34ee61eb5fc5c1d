import { inspect } from 'node:util';

/**
 * A value that came from an environment variable named in config as `env:NAME`.
 * It prints as `[secret]` everywhere (logs, JSON, util.inspect); only `reveal()` gives the value.
 */
export class Secret {
  readonly #value: string;

  constructor(
    /** The environment variable the value came from, for messages. */
    readonly envName: string,
    value: string,
  ) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[secret]';
  }

  toJSON(): string {
    return '[secret]';
  }

  [inspect.custom](): string {
    return `[secret from ${this.envName}]`;
  }
}
