/** Something wrong with one place of a JSON value: the dotted path to it and what is wrong. */
export interface JsonShapeProblem {
  path: string;
  message: string;
}

/** Problems past this many are not looked for: one answer names enough to fix, and a hostile body can't make it huge. */
const maxProblems = 10;

export const illFormedTextMessage =
  "contains a lone UTF-16 surrogate (half of an emoji or other character), which can't be stored";

/**
 * What a caller's JSON value holds that Persona can't take: objects and arrays nested more than `maxDepth` levels
 * deep (`value` is level `rootLevel`: -1 when the value is only a wrapper, such as an event around its properties), a
 * key named `__proto__` (JavaScript would drop it or change the object's prototype instead of keeping it), and text
 * that isn't well-formed UTF-16. Walked without recursion, so a value nested 100,000 deep costs a walk, not the stack;
 * nothing deeper than `maxDepth` is looked at.
 */
export function jsonShapeProblems(value: unknown, path: string, maxDepth: number, rootLevel = 0): JsonShapeProblem[] {
  const problems: JsonShapeProblem[] = [];
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path, depth: rootLevel }];
  while (pending.length > 0 && problems.length < maxProblems) {
    const next = pending.pop() as { value: unknown; path: string; depth: number };
    if (typeof next.value === 'string') {
      if (!next.value.isWellFormed()) problems.push({ path: next.path || '(value)', message: illFormedTextMessage });
      continue;
    }
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth >= maxDepth) {
      problems.push({
        path: next.path || '(value)',
        message: `nests objects or arrays more than ${maxDepth} levels deep`,
      });
      continue;
    }
    const entries = Array.isArray(next.value)
      ? next.value.map((item, index) => [String(index), item] as const)
      : Object.entries(next.value);
    // Pushed in reverse so problems come out in the order the caller wrote the fields.
    for (const [key, item] of entries.reverse()) {
      const at = next.path ? `${next.path}.${key}` : key;
      if (key === '__proto__') problems.push({ path: at, message: 'is not an allowed name' });
      else if (!key.isWellFormed()) problems.push({ path: at, message: `the name ${illFormedTextMessage}` });
      else pending.push({ value: item, path: at, depth: next.depth + 1 });
    }
  }
  return problems.slice(0, maxProblems);
}
