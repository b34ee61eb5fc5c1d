import { z } from 'zod';

const text = (max: number) => z.string().trim().min(1).max(max);

/**
 * What a follower receives. `text` may hold placeholders (`{{name}}`, `{{city|朋友}}`: an attribute, with a fallback
 * after `|`); `news` is an article already uploaded to WeChat (its media id); `miniprogram` is a mini-program card
 * (customer-service messages only).
 */
export const pushMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: text(2000) }).strict(),
  z.object({ type: z.literal('image'), mediaId: text(128) }).strict(),
  z.object({ type: z.literal('news'), mediaId: text(128) }).strict(),
  z
    .object({
      type: z.literal('miniprogram'),
      appId: text(64),
      pagePath: text(256),
      title: text(64),
      thumbMediaId: text(128),
    })
    .strict(),
]);

export type PushMessage = z.output<typeof pushMessageSchema>;

/** A template message: the fallback channel for service notices; values may hold placeholders too. */
export const pushTemplateSchema = z
  .object({
    templateId: text(128),
    url: z.url({ protocol: /^https?$/ }).optional(),
    miniprogram: z
      .object({ appId: text(64), pagePath: text(256) })
      .strict()
      .optional(),
    data: z.record(
      z.string().regex(/^[A-Za-z0-9_.]{1,32}$/),
      z.object({ value: z.string().max(200), color: z.string().max(16).optional() }).strict(),
    ),
  })
  .strict();

export type PushTemplate = z.output<typeof pushTemplateSchema>;

export const pushContentSchema = z
  .object({
    message: pushMessageSchema,
    template: pushTemplateSchema.optional(),
    /** Send the text's links (and the template's URL) as tracked `/r/<token>` links that record a `push_click`. */
    trackLinks: z.boolean().default(false),
  })
  .strict();

export type PushContent = z.output<typeof pushContentSchema>;

/** The channels a push can reach a follower through, in the order the policy tries them. */
export const pushChannels = ['customer_service', 'mass', 'template'] as const;
export type PushChannel = (typeof pushChannels)[number];

/** Message types a mass send carries (a mini-program card can only go as a customer-service message). */
export function massCarries(message: PushMessage): boolean {
  return message.type !== 'miniprogram';
}

const placeholder = /\{\{\s*([a-zA-Z][a-zA-Z0-9_]{0,63})\s*(?:\|([^}]*))?\}\}/g;

/**
 * Fills `{{attribute}}` and `{{attribute|fallback}}` from a recipient's attributes. A missing value takes its fallback,
 * or nothing. Without attributes (a mass send reaches everyone with the same text) every placeholder takes its fallback.
 */
export function fillPlaceholders(template: string, attributes: Readonly<Record<string, unknown>> = {}): string {
  return template.replace(placeholder, (_match, name: string, fallback: string | undefined) => {
    const value = Object.hasOwn(attributes, name) ? attributes[name] : undefined;
    return value === undefined || value === null || value === '' ? (fallback ?? '').trim() : String(value);
  });
}

/** The texts of the content placeholders may appear in: the message's text and the template's values. */
function placeholderSources(content: PushContent): string[] {
  return [
    content.message.type === 'text' ? content.message.text : '',
    ...Object.values(content.template?.data ?? {}).map((entry) => entry.value),
  ];
}

/** Attribute names the content's placeholders read. */
export function placeholderNames(content: PushContent): string[] {
  return placeholderUses(content).map((use) => use.name);
}

/** Each attribute the content's placeholders read, with the fallback its first use gives (empty: none). */
export function placeholderUses(content: PushContent): { name: string; fallback: string }[] {
  const uses = new Map<string, string>();
  for (const source of placeholderSources(content))
    for (const match of source.matchAll(placeholder))
      if (!uses.has(match[1])) uses.set(match[1], (match[2] ?? '').trim());
  return [...uses].map(([name, fallback]) => ({ name, fallback }));
}

/** The content with placeholders filled for one recipient (or with fallbacks, for everyone). */
export function personalize(content: PushContent, attributes?: Readonly<Record<string, unknown>>): PushContent {
  const message =
    content.message.type === 'text'
      ? { ...content.message, text: fillPlaceholders(content.message.text, attributes) }
      : content.message;
  const template = content.template && {
    ...content.template,
    data: Object.fromEntries(
      Object.entries(content.template.data).map(([key, entry]) => [
        key,
        { ...entry, value: fillPlaceholders(entry.value, attributes) },
      ]),
    ),
  };
  return { ...content, message, ...(template ? { template } : {}) };
}
