import { ownValue } from '../util/own-value';
import type { TagEdit } from '../ingest/inbound-event';

/**
 * A status held as tags (a CRM lead's status, mapped by config): the tag of the current status is added and every
 * other status tag taken away, so the person holds one at a time. An unmapped status only clears the mapped tags.
 */
export function statusTagEdit(status: string, statusTags: Readonly<Record<string, string>>): TagEdit {
  const tag = ownValue(statusTags, status);
  return {
    add: tag ? [tag] : [],
    remove: [...new Set(Object.values(statusTags))].filter((other) => other !== tag),
  };
}
