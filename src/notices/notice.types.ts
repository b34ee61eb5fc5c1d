/**
 * What happened that the team should hear of without asking: a push finished (its report), or something Persona
 * could not do and parked (an alert). Posted by the room where it happened; the bot renders it in the reader's
 * language and channels (WeCom group robots) carry it.
 */
export type Notice =
  | { kind: 'push.finished'; pushId: number }
  | { kind: 'inbox.parked'; source: string; entryId: number; error: string }
  | { kind: 'webhook.dead_lettered'; subscriber: string; deliveryId: number; error: string }
  | { kind: 'credential.unobtainable'; name: string; error: string };

export type NoticeKind = Notice['kind'];

/** Whether a notice is something that went wrong (an alert) rather than news. */
export function isAlert(notice: Notice): boolean {
  return notice.kind !== 'push.finished';
}

/**
 * What repeats of an alert have in common (the same source's inbox entries, the same credential): one of them is told
 * per quiet period, not one per entry.
 */
export function alertKey(notice: Notice): string {
  switch (notice.kind) {
    case 'push.finished':
      return `push:${notice.pushId}`;
    case 'inbox.parked':
      return `inbox:${notice.source}`;
    case 'webhook.dead_lettered':
      return `webhook:${notice.subscriber}`;
    case 'credential.unobtainable':
      return `credential:${notice.name}`;
  }
}
