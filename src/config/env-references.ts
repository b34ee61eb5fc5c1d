import { isPlainObject, type PlainObject } from './deep-merge';
import { Secret } from './secret';

const reference = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Replaces every `env:NAME` string in a config tree with a `Secret` holding that variable's value. An unset variable
 * leaves the key out, so its default applies or validation reports it; `unset` maps the key's path to the variable.
 */
export function resolveEnvReferences(
  tree: PlainObject,
  env: NodeJS.ProcessEnv,
): { resolved: PlainObject; unset: Map<string, string> } {
  const unset = new Map<string, string>();

  const visit = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') {
      const name = reference.exec(value)?.[1];
      if (!name) return value;
      const found = env[name];
      if (found === undefined || found === '') {
        unset.set(path, name);
        return undefined;
      }
      return new Secret(name, found);
    }
    if (Array.isArray(value)) return value.map((item, index) => visit(item, `${path}[${index}]`));
    if (isPlainObject(value)) {
      const out: PlainObject = {};
      for (const [key, child] of Object.entries(value)) {
        const next = visit(child, path ? `${path}.${key}` : key);
        if (next !== undefined) out[key] = next;
      }
      return out;
    }
    return value;
  };

  return { resolved: visit(tree, '') as PlainObject, unset };
}
