/**
 * The only module plugins import from Persona: the plugin API, the errors they may throw, the helpers for verifying
 * signed webhooks and reading bodies, and the shapes of the events they hand in.
 */
export { definePlugin, type PluginContext, type PluginDefinition, type Teardown } from './plugin.types';
export type * from './extension-points';
export type { PushContent, PushMessage, PushTemplate } from '../pushes/push-content';
export type { RouteDefinition } from '../http/route-registry';
export type { FetchedCredential } from '../credentials/credential-store';
export type { EnrichOutcome } from '../profiles/profile-enricher';
export type { AppContext } from '../http/http-state';
export type { InboundEvent, TagEdit } from '../ingest/inbound-event';
export type { DeliveryReport } from '../pushes/delivery-report.service';
export type { AttributeValue } from '../profiles/attribute-catalog';
export type { JobDefinition, JobContext } from '../jobs/job.types';
export { type Identity, type IdentityType, defaultOpenidScope } from '../profiles/identity';
export { normalizeIdentity, normalizeIdentityFields } from '../profiles/identity-normalizer';
export { normalizeAttributes } from '../profiles/attribute-catalog';
export { statusTagEdit } from '../rules/status-tags';
export { channelPattern, eventTypePattern, inboundLimits, occurredAtProblem } from '../ingest/storable-event';
export { type FieldProblem, partitionBatch, partitionEvents, toFieldProblems } from '../ingest/event-batch';
export { readJsonBody, readRawBody } from '../http/read-body';
export { type BatchAnswer, type BatchIntakeOptions, batchIntake, type ItemConverter } from '../http/batch-intake';
export { parseInput } from '../util/parse-input';
export { verifyTimestampedHmac } from '../util/timestamped-hmac';
export { retryAfterMs } from '../util/retry-after';
export { envOrText, intBetween, secret, slug, tagName, timeZone } from '../config/config-fields';
export { Secret } from '../config/secret';
export {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors/app.errors';
export { ownValue } from '../util/own-value';
export { defineCatalogue, type Locale, sayer } from '../i18n/message-catalog';
export { type Clock, monotonicMs } from '../util/clock';
export { SlidingWindowLimiter } from '../util/sliding-window-limiter';
export { MsgCrypt } from '../wechat-wire/msg-crypt';
export { MsgCryptError, WrongReceiverError } from '../wechat-wire/msg-crypt.errors';
export { signaturesMatch, wechatSignature } from '../wechat-wire/msg-signature';
export {
  assertNoDeclarations,
  cdata,
  extractEncrypt,
  parseWechatXml,
  type WechatFields,
} from '../wechat-wire/wechat-xml';
