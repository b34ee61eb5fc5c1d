import type { Logger } from 'pino';
import type { z } from 'zod';
import type { FetchedCredential } from '../credentials/credential-store';
import type { RouteDefinition } from '../http/route-registry';
import type { InboundEvent } from '../ingest/inbound-event';
import type { JobDefinition } from '../jobs/job.types';
import type { AttributeValue } from '../profiles/attribute-catalog';
import type { Identity } from '../profiles/identity';
import type { EnrichOutcome } from '../profiles/profile-enricher';
import type { DeliveryReport } from '../pushes/delivery-report.service';
import type {
  Announcer,
  BotCommand,
  BotLocale,
  BotRole,
  ChatChannel,
  ChatMessage,
  PushAccount,
  PushSender,
  ReceivedChat,
  RuleVocabulary,
} from './extension-points';
import type { Clock } from '../util/clock';

/** Undoes what a plugin set up; run in reverse order at stop. */
export type Teardown = () => void | Promise<void>;

/**
 * A plugin: one outside system. `setup` registers everything through the context (each registration is undone at
 * stop) and may return a teardown of its own; `start` begins background work once the whole app is set up.
 */
export interface PluginDefinition<C = unknown> {
  /** Matches its folder and its key under `plugins:` in config. */
  name: string;
  description?: string;
  /** Validates the plugin's config block (everything but `enabled`). */
  configSchema: z.ZodType<C>;
  setup(context: PluginContext<C>): void | Teardown | Promise<void | Teardown>;
  start?(context: PluginContext<C>): void | Promise<void>;
}

/** Everything a plugin may touch. Plugins reach Persona only through this. */
export interface PluginContext<C = unknown> {
  readonly name: string;
  readonly config: C;
  readonly log: Logger;
  /** Account-wide settings plugins need to read. */
  readonly settings: { readonly timezone: string; readonly locale: string };
  /** What time it is: Persona's clock (tests pin it). A plugin reads the time only here; durations use monotonicMs. */
  readonly clock: Clock;
  readonly http: { route(route: RouteDefinition): void };
  /**
   * Hands normalized events to the durable inbox (source = the plugin's name); resolves once they are stored, with
   * how many of them it held already (by key). An event that couldn't be stored is refused (ValidationError, 400)
   * and then none of them is stored.
   */
  readonly inbound: { submit(events: InboundEvent[]): Promise<{ duplicates: number }> };
  /** Stores what a channel reports about sends (for the push engine); false when already stored. */
  readonly deliveryReports: { record(report: DeliveryReport): Promise<boolean> };
  /** Facts about known people: for personalizing a reply, and for channels that look people up (a backfill). */
  readonly profiles: {
    attributesOf(identity: Identity): Promise<Record<string, AttributeValue>>;
    /** Followers of an account whose profile lacks an attribute (not looked up yet), by profile id, a page at a time. */
    followersWithout(
      account: string,
      attribute: string,
      options: { limit: number; afterProfileId?: number },
    ): Promise<{ profileId: number; openid: string }[]>;
    /**
     * Adds what a lookup found to the known person behind `identity` (no timeline event: it isn't something they did):
     * identities nobody else holds (`conflict` otherwise) and attributes, said by `channel` (for attribute precedence;
     * default: the plugin's name).
     */
    enrich(
      identity: Identity,
      facts: { identities?: Identity[]; attributes?: Record<string, AttributeValue>; channel?: string },
    ): Promise<EnrichOutcome>;
  };
  /**
   * Short-lived credentials (an access token) shared by every instance through the database, under names of the
   * plugin's own: `get` answers the stored value, calling `fetch` (in one instance at a time) when it is missing or
   * about to expire; `invalidate` forgets a value that was refused, unless another instance has replaced it already.
   */
  readonly credentials: {
    get(key: string, fetch: () => Promise<FetchedCredential>): Promise<string>;
    invalidate(key: string, failed: string): Promise<void>;
  };
  readonly jobs: { register(job: JobDefinition): void };
  readonly pushSenders: { register(sender: PushSender): void };
  readonly pushAccounts: { register(account: PushAccount): void };
  readonly commands: { register(command: BotCommand): void };
  /** The operator bot, for a plugin that is a chat operators use (WeCom) or a place the team is told things. */
  readonly bot: {
    /**
     * Records an operator's chat message (the audit; undefined for one the bot ignores or has seen: a redelivery, by
     * `transport` + `messageId`). Acknowledge the chat after this resolves; `answer()` then runs the command.
     */
    receive(message: ChatMessage): Promise<ReceivedChat | undefined>;
    /** A configured operator by contact (`wecom:<userid>`): their role and language. */
    operator(contact: string): { name: string; role: BotRole; locale: BotLocale } | undefined;
    channels: { register(channel: ChatChannel): void };
    announcers: { register(announcer: Announcer): void };
  };
  readonly vocabularies: { register(vocabulary: RuleVocabulary): void };
  /** Runs at stop, before the registrations are undone. */
  onStop(teardown: Teardown): void;
}

export function definePlugin<C>(definition: PluginDefinition<C>): PluginDefinition<C> {
  return definition;
}
