import type { Database } from '../db/database';
import { ConflictError, ValidationError } from '../errors/app.errors';
import { liveProfileId, liveProfilesAmong, lockProfiles } from '../profiles/live-profile';
import { recordAudit } from '../audit/audit-log';
import { TimeSlice } from '../util/time-slice';

/** Profiles tagged per transaction in a bulk action. */
const bulkChunk = 200;
import type { RulesProvider } from './rules-provider';
import { rulesText } from './rules.messages';
import { ruleSource } from './tag-rule.service';
import type { TagService } from './tag.service';
import type { Clock } from '../util/clock';

/**
 * Tags operators give and take by hand (the API now, the bot later), optionally for a while. Tags that rules keep are
 * not theirs to set: a lifecycle stage is computed, and a rule's tag comes back as long as its rule holds, so
 * removing one is refused with the rule to change instead.
 */
export class OperatorTags {
  constructor(
    private readonly db: Database,
    private readonly tags: TagService,
    private readonly rules: RulesProvider,
    private readonly clock: Clock,
  ) {}

  async add(
    requestedId: number,
    tag: string,
    expiresAt: Date | null,
    actor: string,
  ): Promise<{ profileId: number; added: boolean }> {
    this.checkOperatorTag(tag);
    const now = this.clock();
    if (expiresAt && expiresAt <= now) throw new ValidationError(rulesText('tag.expiryPast'));
    return this.db.transaction(async (transaction) => {
      const profileId = await liveProfileId(this.db, requestedId, transaction, { lock: true });
      const { added } = await this.tags.apply(
        {
          profileId,
          add: [tag],
          source: 'operator',
          at: now,
          key: `operator:${actor}:${now.toISOString()}`,
          expiresAt,
        },
        transaction,
      );
      return { profileId, added: added.length > 0 };
    });
  }

  async remove(requestedId: number, tag: string, actor: string): Promise<{ profileId: number; removed: boolean }> {
    const now = this.clock();
    return this.db.transaction(async (transaction) => {
      const profileId = await liveProfileId(this.db, requestedId, transaction, { lock: true });
      const [held] = await this.db.select<{ source: string }>(
        'SELECT source FROM tags WHERE profile_id = ? AND name = ?',
        [profileId, tag],
        transaction,
      );
      if (held?.source === ruleSource(tag)) throw new ConflictError(rulesText('tag.removeRuleTag', { tag }));
      const { removed } = await this.tags.apply(
        { profileId, remove: [tag], source: 'operator', at: now, key: `operator:${actor}:${now.toISOString()}` },
        transaction,
      );
      return { profileId, removed: removed.length > 0 };
    });
  }

  /**
   * Gives (or takes) `tag` to everyone of `ids` who is still a live profile: a bulk action from chat. A few hundred
   * profiles per transaction, giving the event loop its turn between them; audited once with `about` (what selected
   * them). A tag rules keep is refused, as for one person. Answers how many changed.
   */
  async tagMany(
    ids: readonly number[],
    tag: string,
    mode: 'add' | 'remove',
    actor: string,
    about: Record<string, unknown>,
  ): Promise<{ changed: number }> {
    this.checkOperatorTag(tag);
    const now = this.clock();
    const slice = new TimeSlice();
    let changed = 0;
    for (let start = 0; start < ids.length; start += bulkChunk) {
      changed += await this.db.transaction(async (transaction) => {
        const live = await liveProfilesAmong(this.db, ids.slice(start, start + bulkChunk), transaction, { lock: true });
        let done = 0;
        for (const profileId of live) {
          const key = `operator:${actor}:bulk:${now.toISOString()}:${profileId}`;
          const result = await this.tags.apply(
            mode === 'add'
              ? { profileId, add: [tag], source: 'operator', at: now, key, expiresAt: null }
              : { profileId, remove: [tag], source: 'operator', at: now, key },
            transaction,
          );
          done += (mode === 'add' ? result.added : result.removed).length;
        }
        return done;
      });
      await slice.giveWay();
    }
    await recordAudit(this.db, {
      actor,
      action: mode === 'add' ? 'tag.bulk_added' : 'tag.bulk_removed',
      subject: `tag:${tag}`,
      details: { ...about, selected: ids.length, changed },
      at: now,
    });
    return { changed };
  }

  /** Tags rules compute (an exclusive category) or keep (a tag rule's tag) are not an operator's to set. */
  private checkOperatorTag(tag: string): void {
    const rules = this.rules.current;
    const category = rules.categoryOf(tag);
    if (rules.isExclusive(category)) throw new ValidationError(rulesText('tag.computed', { category }));
    if (rules.tagRules.some((rule) => rule.tag === tag))
      throw new ValidationError(
        rulesText('tag.keptByRule', { tag, when: String(rules.tagRules.find((rule) => rule.tag === tag)?.when) }),
      );
  }

  /** Takes away every tag whose time is up, each in its profile's own transaction; answers how many. */
  async expire(limit = 1000): Promise<number> {
    const now = this.clock();
    const due = await this.db.select<{ profile_id: number; name: string }>(
      'SELECT profile_id, name FROM tags WHERE expires_at <= ? ORDER BY expires_at LIMIT ?',
      [now, limit],
    );
    for (const { profile_id: profileId, name } of due) {
      await this.db.transaction(async (transaction) => {
        const [locked] = await lockProfiles(this.db, [Number(profileId)], transaction);
        if (locked === undefined) return;
        // Renewed meanwhile: not due any more.
        const [still] = await this.db.select<{ name: string }>(
          'SELECT name FROM tags WHERE profile_id = ? AND name = ? AND expires_at <= ?',
          [Number(profileId), name, now],
          transaction,
        );
        if (!still) return;
        await this.tags.apply(
          {
            profileId: Number(profileId),
            remove: [name],
            source: 'expiry',
            at: now,
            key: `expiry:${now.toISOString()}:${Number(profileId)}`,
          },
          transaction,
        );
      });
    }
    return due.length;
  }
}
