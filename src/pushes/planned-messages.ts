import { type PushChannel, type PushContent, personalize, placeholderUses } from './push-content';
import { linksIn } from './tracked-links';

/** What recipients read through one channel, as a plan shows it before anything is sent. */
export interface PlannedMessage {
  channel: PushChannel;
  /** The message's kind: `template` for a template message, else the message's type. */
  kind: 'text' | 'image' | 'news' | 'miniprogram' | 'template';
  /** The text as it goes out: filled for `sampleProfileId` (one person), or with the fallbacks (a mass send). */
  text?: string;
  /** A template message's fields, filled as the text is. */
  fields?: Record<string, string>;
  /** Characters of the text (of the fields together, for a template). */
  length: number;
  /** The links in it, in order; tracked links when `tracked`. */
  links: string[];
  tracked: boolean;
  /** Whose attributes filled it; null for a mass send (the same text for everyone) or when nobody is reached. */
  sampleProfileId: number | null;
}

/** A placeholder of the content: its fallback and how many of the audience hold a value for it. */
export interface PlannedPlaceholder {
  name: string;
  fallback: string;
  holders: number;
}

/**
 * The messages a plan shows for the channels that reach someone: a customer-service message and a template message
 * filled for one person they reach (`samples`), the mass text with every placeholder's fallback (WeChat sends the
 * same text to everyone).
 */
export function plannedMessages(
  content: PushContent,
  channels: Record<PushChannel, number>,
  samples: Partial<Record<PushChannel, { profileId: number; attributes: Record<string, unknown> }>>,
): PlannedMessage[] {
  const messages: PlannedMessage[] = [];
  for (const channel of Object.keys(channels) as PushChannel[]) {
    if (channels[channel] === 0) continue;
    const sample = channel === 'mass' ? undefined : samples[channel];
    const filled = personalize(content, sample?.attributes);
    const base = { channel, tracked: content.trackLinks, sampleProfileId: sample?.profileId ?? null };
    if (channel === 'template' && filled.template) {
      const fields = Object.fromEntries(Object.entries(filled.template.data).map(([key, entry]) => [key, entry.value]));
      const length = Object.values(fields).reduce((sum, value) => sum + [...value].length, 0);
      const links = filled.template.url ? [filled.template.url] : [];
      messages.push({ ...base, kind: 'template', fields, length, links });
    } else if (filled.message.type === 'text') {
      const text = filled.message.text;
      messages.push({ ...base, kind: 'text', text, length: [...text].length, links: linksIn(text) });
    } else {
      messages.push({ ...base, kind: filled.message.type, length: 0, links: [] });
    }
  }
  return messages;
}

/** The content's placeholders with their fallbacks, and how many hold a value (from `holders`). */
export function plannedPlaceholders(content: PushContent, holders: Record<string, number>): PlannedPlaceholder[] {
  return placeholderUses(content).map((use) => ({ ...use, holders: holders[use.name] ?? 0 }));
}
