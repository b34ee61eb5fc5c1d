import type { Logger } from 'pino';
import type { Config } from '../config/config.schema';
import type { Database } from '../db/database';
import type { RoomContributions, RoomDefinition, RoomModule } from '../kernel/room-module.types';
import type { RulesProvider } from '../rules/rules-provider';
import type { TagService } from '../rules/tag.service';
import type { Clock } from '../util/clock';
import { aiPersonData } from './ai-person-data';
import { InterestClassification } from './interest-classification';
import { interestClassificationJob } from './interest-classification.job';
import { LanguageModel } from './language-model';

export const aiRoom: RoomDefinition = { room: 'ai', tables: ['ai_classifications'], surface: [] };

/**
 * The AI room: the language model behind the bot's `ask` and `draft`, and (when enabled) the job that reads
 * followers' messages for interests. Off without an OPENAI_API_KEY.
 */
export class AiModule implements RoomModule {
  readonly definition = aiRoom;
  readonly contributes: RoomContributions;
  readonly model: LanguageModel;

  constructor(deps: {
    config: Config;
    db: Database;
    tags: TagService;
    rules: RulesProvider;
    log: Logger;
    clock: Clock;
  }) {
    const { config, clock } = deps;
    this.model = new LanguageModel(config.ai, deps.log.child({ room: 'ai' }), clock);
    const jobs = [];
    if (config.ai.classification.enabled) {
      if (this.model.enabled) {
        const classification = new InterestClassification(
          deps.db,
          this.model,
          deps.tags,
          deps.rules,
          { ...config.ai.classification, timezone: config.timezone },
          clock,
        );
        jobs.push(interestClassificationJob(classification));
      } else
        deps.log.warn(
          'ai.classification is enabled but no OPENAI_API_KEY is set: follower messages are not classified',
        );
    }
    this.contributes = { jobs, personData: aiPersonData(deps.db) };
  }
}
