/**
 * What plugins contribute beyond routes, inbound events and jobs. The engines that use them (the push engine, the
 * operator bot, the rule engine) look them up by name in the host's registries.
 */

/** Delivers pushes over one channel, e.g. `wechat-customer-service`. */
export interface PushSender {
  channel: string;
  send(delivery: { pushId: number; profileId: number; content: unknown }): Promise<{ ok: boolean; code?: string }>;
}

/** An operator bot command, e.g. `qrcode`. */
export interface BotCommand {
  name: string;
  aliases?: string[];
  /** Lowest operator role allowed to run it. */
  role: 'viewer' | 'operator' | 'admin';
  summary: string;
  run(input: { operator: string; args: string[] }): Promise<string>;
}

/** Event types and properties a source adds to what rules and segments may refer to. */
export interface RuleVocabulary {
  name: string;
  eventTypes: { type: string; properties?: string[] }[];
}
