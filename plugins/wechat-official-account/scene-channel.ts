/** A glob over QR scenes where `*` matches any run of characters; everything else is literal. */
export function scenePattern(pattern: string): RegExp {
  const expression = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${expression}$`);
}

/** Maps QR scenes to named channels (`store-*` → `offline-store`); the first matching pattern wins. */
export class SceneChannels {
  private readonly rules: { pattern: RegExp; channel: string }[];

  constructor(rules: readonly { pattern: string; channel: string }[]) {
    this.rules = rules.map((rule) => ({ pattern: scenePattern(rule.pattern), channel: rule.channel }));
  }

  /** The channel a scene belongs to; `wechat` for no scene or no matching pattern. */
  channelFor(scene: string | undefined): string {
    if (!scene) return 'wechat';
    return this.rules.find((rule) => rule.pattern.test(scene))?.channel ?? 'wechat';
  }
}
