import type { AudienceStats } from '../segments/audience-stats.repository';
import type { ProfileService } from '../profiles/profile.service';
import type { PushService } from '../pushes/push.service';
import type { OperatorTags } from '../rules/operator-tags';
import type { ProfileExplainer } from '../rules/profile-explainer';
import type { RulesPreview } from '../rules/rules-preview';
import type { RulesProvider } from '../rules/rules-provider';
import type { SegmentService } from '../segments/segment.service';
import type { TimelineService } from '../timeline/timeline.service';
import type { ConfirmationCodes } from './confirmation-codes.repository';
import type { ChartStore } from './chart-store.repository';
import type { Clock } from '../util/clock';

/** What the bot's commands work with: Persona's services (never the database itself). */
export interface BotServices {
  segments: SegmentService;
  profiles: ProfileService;
  timeline: TimelineService;
  explainer: ProfileExplainer;
  rules: RulesProvider;
  rulesPreview: RulesPreview;
  operatorTags: OperatorTags;
  stats: AudienceStats;
  pushes: PushService;
  confirmations: ConfirmationCodes;
  /** Wakes this instance's delivery worker after a confirmation. */
  wakePushes(): void;
  /** Draws charts for answers. */
  charts: ChartStore;
  /** Tagging more people than this at once waits for a confirmation code. */
  bulkConfirmAbove: number;
  /** The time zone operators read times in. */
  timezone: string;
  clock: Clock;
}
