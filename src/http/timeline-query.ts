import { z } from 'zod';
import { eventTypePattern } from '../ingest/storable-event';
import { pageQuery } from '../util/paging';

/** The word for "everything the person did", beside event type names in `?type=`. */
const interactions = 'interactions';
const maxTypes = 50;
const typeError = `expected event types such as page_view (type=a&type=b or type=a,b; at most ${maxTypes}), or ${interactions}`;

/**
 * `GET /api/profiles/:id/timeline`'s query: a page, and `type` given once or more, each a comma-separated list, kept
 * as the names asked for and whether `interactions` was among them.
 */
export const timelineQuery = z
  .object({
    ...pageQuery,
    type: z.union([z.string(), z.array(z.string())], { error: typeError }).optional(),
  })
  .transform(({ type, ...page }, ctx) => {
    if (type === undefined) return page;
    const names = (Array.isArray(type) ? type : [type]).flatMap((value) => value.split(',')).map((name) => name.trim());
    if (
      names.length > maxTypes ||
      names.some((name) => name.length > 64 || !(name === interactions || eventTypePattern.test(name)))
    ) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: typeError });
      return z.NEVER;
    }
    const types = [...new Set(names.filter((name) => name !== interactions))];
    return { ...page, types, interactions: names.includes(interactions) };
  });
