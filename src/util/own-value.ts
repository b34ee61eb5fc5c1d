/**
 * The value stored under `key` in `record` itself, never one inherited from Object.prototype: a name typed by a user
 * (`constructor`, `__proto__`, `toString`) must read as absent, not as a built-in function.
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
