import type { z } from 'zod';

/** Where a key's value came from, when it wasn't a config file: `PORT` for an env override. */
export interface IssueSources {
  overriddenBy: Map<string, string>;
  unsetEnv: Map<string, string>;
}

/** Dotted path as an operator writes it in YAML: `auth.writeKeys[0].key`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === 'number') return `${text}[${part}]`;
    return text ? `${text}.${String(part)}` : String(part);
  }, '');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return 'a mapping';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One line per problem: `server.port (from PORT): expected a number between 1 and 65535, got "abc"`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], sources: IssueSources, prefix = ''): string[] {
  return issues.map((issue) => {
    const path = [prefix, formatPath(issue.path)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      const where = path ? ` in ${path}` : '';
      return `unknown key${issue.keys.length > 1 ? 's' : ''}${where}: ${issue.keys.join(', ')}`;
    }
    const unsetVariable = sources.unsetEnv.get(path);
    if (unsetVariable && issue.input === undefined) {
      return `${path}: environment variable ${unsetVariable} is not set`;
    }
    const origin = sources.overriddenBy.get(path);
    const label = origin ? `${path} (from ${origin})` : path;
    const message = issue.message.replace(/^Invalid input: /, '');
    return `${label}: ${message}, got ${describe(issue.input)}`;
  });
}
