import { existsSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/**
 * The folder holding Persona's package.json. Source runs from `src/…` and the build from `dist/src/…`,
 * so a fixed number of `..` would be wrong for one of them.
 */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  cached = dir;
  return dir;
}
