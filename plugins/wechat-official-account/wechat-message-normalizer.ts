import {
  type DeliveryReport,
  type InboundEvent,
  normalizeIdentity,
  occurredAtProblem,
  ownValue,
  ValidationError,
  type WechatFields,
} from '../../src/plugins/plugin-sdk';
import type { SceneChannels } from './scene-channel';

/** What one webhook message becomes: timeline events, or a delivery report, plus what the reply depends on. */
export interface NormalizedMessage {
  events: InboundEvent[];
  report?: DeliveryReport;
  /** `text` content, for keyword replies. */
  text?: string;
  /** True for a (re)follow, for the welcome. */
  followed: boolean;
  /** The QR scene of a follow or scan. */
  scene?: string;
  /** A follower message (not an event): eligible for the default reply. */
  isMessage: boolean;
}

/** Message types and the fields each keeps as event properties (WeChat name → property). */
const messageFields: Record<string, Record<string, string>> = {
  text: { Content: 'content' },
  image: { PicUrl: 'picUrl', MediaId: 'mediaId' },
  voice: { MediaId: 'mediaId', Format: 'format', Recognition: 'recognition' },
  video: { MediaId: 'mediaId', ThumbMediaId: 'thumbMediaId' },
  shortvideo: { MediaId: 'mediaId', ThumbMediaId: 'thumbMediaId' },
  location: { Location_X: 'latitude', Location_Y: 'longitude', Scale: 'scale', Label: 'label' },
  link: { Title: 'title', Description: 'description', Url: 'url' },
};

function field(fields: WechatFields, name: string, required = true): string | undefined {
  const value = fields[name];
  if (typeof value === 'string') return value;
  if (value === undefined || value === null || value === '') {
    if (required) throw new ValidationError(`the message has no ${name}`);
    return undefined;
  }
  throw new ValidationError(`${name}: expected text`);
}

function pick(fields: WechatFields, names: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [wechatName, property] of Object.entries(names)) {
    const value = field(fields, wechatName, false);
    if (value !== undefined) out[property] = value;
  }
  return out;
}

const number = (value: string | undefined) => (value === undefined || value === '' ? undefined : Number(value));

/** `delivery_reports.external_id` is VARCHAR(128); WeChat's MsgIDs are 64-bit numbers. */
function reportId(fields: WechatFields): string {
  const msgId = field(fields, 'MsgID', false) ?? field(fields, 'MsgId') ?? '';
  if (msgId.length > 128) throw new ValidationError('MsgID: expected at most 128 characters');
  return msgId;
}

/**
 * Turns a verified, parsed WeChat document into inbound events keyed for exactly-once storage: messages by
 * FromUserName + CreateTime + MsgId, events by FromUserName + CreateTime + Event + EventKey (WeChat's retries carry
 * the same values). Nothing is dropped: unknown types become `wechat_event` with their raw fields. A message Persona
 * couldn't store (an openid no follower has, a CreateTime out of range when `receivedAt` is given) is refused here,
 * before anything is written or answered.
 */
export function normalizeWechatMessage(
  fields: WechatFields,
  account: string,
  scenes: SceneChannels,
  receivedAt?: Date,
): NormalizedMessage {
  field(fields, 'ToUserName');
  const openid = field(fields, 'FromUserName') as string;
  const follower = normalizeIdentity('openid', openid, account);
  if ('error' in follower) throw new ValidationError(`FromUserName: ${follower.error}`);
  const createTime = field(fields, 'CreateTime') as string;
  const msgType = field(fields, 'MsgType') as string;
  if (!/^\d{1,12}$/.test(createTime)) throw new ValidationError('CreateTime: expected unix seconds');
  const occurredAt = new Date(Number(createTime) * 1000);
  const outOfRange = receivedAt && occurredAtProblem(occurredAt, receivedAt);
  if (outOfRange) throw new ValidationError(`CreateTime: ${outOfRange}`);
  const identities = [{ type: 'openid' as const, scope: account, value: openid }];
  const base = { occurredAt, identities };
  const result: NormalizedMessage = { events: [], followed: false, isMessage: msgType !== 'event' };

  if (msgType !== 'event') {
    const known = ownValue(messageFields, msgType);
    const msgId = field(fields, 'MsgId', known !== undefined) ?? field(fields, 'MsgID', false) ?? '';
    const key = `${account}:msg:${openid}:${createTime}:${msgId}`;
    if (known) {
      if (msgType === 'text') result.text = field(fields, 'Content', false) ?? '';
      result.events.push({
        ...base,
        key,
        type: 'message',
        channel: 'wechat',
        properties: { account, subtype: msgType, msgId, ...pick(fields, known) },
      });
    } else {
      result.events.push({
        ...base,
        key,
        type: 'wechat_event',
        channel: 'wechat',
        properties: { account, msgType, raw: fields },
      });
    }
    return result;
  }

  const event = field(fields, 'Event') as string;
  const eventKey = field(fields, 'EventKey', false) ?? '';
  const key = `${account}:evt:${openid}:${createTime}:${event}:${eventKey}`;
  const ticket = field(fields, 'Ticket', false);
  switch (event.toLowerCase()) {
    case 'subscribe': {
      const scene = eventKey.startsWith('qrscene_') ? eventKey.slice('qrscene_'.length) : undefined;
      const channel = scenes.channelFor(scene);
      result.followed = true;
      result.scene = scene;
      result.events.push({
        ...base,
        key: `${key}:subscribe`,
        type: 'subscribe',
        channel,
        properties: { account, ...(scene ? { scene } : {}) },
      });
      if (scene) {
        result.events.push({
          ...base,
          key: `${key}:qr_scan`,
          type: 'qr_scan',
          channel,
          properties: { account, scene, ...(ticket ? { ticket } : {}), subscribe: true },
        });
      }
      return result;
    }
    case 'unsubscribe':
      result.events.push({ ...base, key, type: 'unsubscribe', channel: 'wechat', properties: { account } });
      return result;
    case 'scan':
      result.scene = eventKey;
      result.events.push({
        ...base,
        key,
        type: 'qr_scan',
        channel: scenes.channelFor(eventKey || undefined),
        properties: { account, scene: eventKey, ...(ticket ? { ticket } : {}), subscribe: false },
      });
      return result;
    case 'click':
      result.events.push({
        ...base,
        key,
        type: 'menu_click',
        channel: 'wechat',
        properties: { account, key: eventKey },
      });
      return result;
    case 'view':
      result.events.push({
        ...base,
        key,
        type: 'menu_view',
        channel: 'wechat',
        properties: { account, url: eventKey, ...pick(fields, { MenuId: 'menuId' }) },
      });
      return result;
    case 'location':
      result.events.push({
        ...base,
        key,
        type: 'location_report',
        channel: 'wechat',
        properties: {
          account,
          latitude: number(field(fields, 'Latitude', false)),
          longitude: number(field(fields, 'Longitude', false)),
          precision: number(field(fields, 'Precision', false)),
        },
      });
      return result;
    case 'masssendjobfinish': {
      result.report = {
        kind: 'mass',
        externalId: reportId(fields),
        status: field(fields, 'Status', false) ?? 'unknown',
        details: {
          account,
          totalCount: number(field(fields, 'TotalCount', false)),
          filterCount: number(field(fields, 'FilterCount', false)),
          sentCount: number(field(fields, 'SentCount', false)),
          errorCount: number(field(fields, 'ErrorCount', false)),
          raw: fields,
        },
        occurredAt,
      };
      return result;
    }
    case 'templatesendjobfinish': {
      result.report = {
        kind: 'template',
        externalId: reportId(fields),
        status: field(fields, 'Status', false) ?? 'unknown',
        recipient: openid,
        details: { account },
        occurredAt,
      };
      return result;
    }
    default:
      result.events.push({
        ...base,
        key,
        type: 'wechat_event',
        channel: 'wechat',
        properties: { account, event, eventKey, raw: fields },
      });
      return result;
  }
}
