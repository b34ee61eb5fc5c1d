/** A LIKE pattern matching text that contains `fragment` anywhere, written with `ESCAPE '!'`. */
export function likeContaining(fragment: string): string {
  return `%${fragment.replace(/[!%_]/g, '!$&')}%`;
}
