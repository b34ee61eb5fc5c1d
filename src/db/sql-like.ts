/** A LIKE pattern matching text that contains `fragment` anywhere, written with `ESCAPE '!'`. */
export function likeContaining(fragment: string): string {
  return `%${fragment.replace(/[!%_]/g, '!$&')}%`;
}

/** A LIKE pattern matching text that starts with `prefix`, written with `ESCAPE '!'`. */
export function likeStartingWith(prefix: string): string {
  return `${prefix.replace(/[!%_]/g, '!$&')}%`;
}
