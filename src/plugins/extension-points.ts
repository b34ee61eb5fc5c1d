/**
 * What plugins contribute beyond routes, inbound events and jobs. The engines that use them (the push engine, the
 * operator bot) own their ports; the host keeps registries of what plugins provide, looked up by name.
 */
export type { PushAccount, PushRecipient, PushSender, PushSendOutcome } from '../pushes/push-sender.types';
export type {
  BotAnswer,
  BotCommand,
  BotConfirmation,
  BotImage,
  BotLocale,
  BotRequest,
  BotRole,
  BotSubcommand,
  BotText,
} from '../bot/bot-command.types';
export type { ChatAnswer, ChatMessage, ReceivedChat } from '../bot/bot-engine';
export type { Announcement, Announcer, ChannelStatus, ChatChannel } from '../bot/chat-channel.types';
export type { RuleVocabulary } from '../segments/rule-vocabulary.types';
