const dayMs = 86_400_000;

/**
 * How much of a point earned at `from` still counts at `to` in a group with this half-life: halves every
 * `halfLifeDays` (0: points never fade). Exponential fading composes, so a sum faded to one moment and then to a
 * later one equals the sum faded straight to the later one, which lets the stored score be refreshed at any time.
 */
export function decayFactor(from: Date, to: Date, halfLifeDays: number): number {
  if (halfLifeDays <= 0) return 1;
  const ageDays = (to.getTime() - from.getTime()) / dayMs;
  return ageDays <= 0 ? 1 : 0.5 ** (ageDays / halfLifeDays);
}
