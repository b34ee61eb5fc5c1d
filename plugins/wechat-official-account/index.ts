import { definePlugin } from '../../src/plugins/plugin-sdk';
import { followerInfoJob } from './follower-info.job';
import { qrcodeCommand } from './qrcode.command';
import { SceneChannels } from './scene-channel';
import { WechatApiClient } from './wechat-api-client';
import { wechatConfigSchema } from './wechat-config.schema';
import { wechatPushSenders } from './wechat-push-senders';
import { qrcodeHandler } from './wechat-qrcode.routes';
import { WechatWebhook } from './wechat-webhook.routes';

/**
 * WeChat official accounts. Inbound: each account's webhook (`/wechat` for the account named `default`,
 * `/wechat/<name>` for the others) verifies, decrypts and records every follower message and event exactly once, and
 * answers with the configured passive reply. Outbound (accounts with an appSecret): the push senders for
 * customer-service, mass and template messages, `POST /api/wechat/qrcodes` (and the bot's `/qrcode`) for parametric
 * QR codes, and the hourly `follower-info` job that looks followers up (unionid, subscribe scene).
 */
export default definePlugin({
  name: 'wechat-official-account',
  description:
    'WeChat official accounts: webhooks onto the timeline, passive replies, pushes and QR codes over the API',
  configSchema: wechatConfigSchema,
  setup(context) {
    const scenes = new SceneChannels(context.config.sceneChannels);
    // What followers' actions become on the timeline, so segments and /ask know them before the first one arrives.
    context.vocabularies.register({
      name: 'wechat',
      eventTypes: [
        { type: 'subscribe', properties: ['account', 'scene'] },
        { type: 'unsubscribe', properties: ['account'] },
        { type: 'message', properties: ['account', 'subtype', 'msgId'] },
        { type: 'qr_scan', properties: ['account', 'scene', 'ticket', 'subscribe'] },
        { type: 'menu_click', properties: ['account', 'key'] },
        { type: 'menu_view', properties: ['account', 'url', 'menuId'] },
        { type: 'location_report', properties: ['account'] },
        { type: 'wechat_event', properties: ['account', 'msgType', 'raw'] },
      ],
    });
    const clients = new Map<string, WechatApiClient>();
    const companions = new Map<string, string>();
    for (const account of context.config.accounts) {
      context.pushAccounts.register({
        name: account.name,
        ...(account.timezone ? { timezone: account.timezone } : {}),
      });
      const webhook = new WechatWebhook(account, context.config, scenes, context);
      const path = account.name === 'default' ? '/wechat' : `/wechat/${account.name}`;
      context.http.route({ method: 'GET', path, auth: 'none', handler: webhook.verifyUrl });
      context.http.route({ method: 'POST', path, auth: 'none', handler: webhook.receive });
      if (account.appSecret) {
        const { api } = context.config;
        clients.set(
          account.name,
          new WechatApiClient(
            account.name,
            { ...api, appId: account.appId, appSecret: account.appSecret.reveal(), clock: context.clock },
            context.credentials,
          ),
        );
        if (account.massCompanion) companions.set(account.name, account.massCompanion);
      }
      context.log.info(
        {
          account: account.name,
          path,
          encryption: account.requireEncryption ? 'required' : 'optional',
          api: clients.has(account.name),
        },
        'wechat account ready',
      );
    }
    if (clients.size > 0) {
      for (const sender of wechatPushSenders(clients, companions, context.clock)) context.pushSenders.register(sender);
      context.http.route({
        method: 'POST',
        path: '/api/wechat/qrcodes',
        auth: 'admin',
        handler: qrcodeHandler(clients, 16 * 1024),
      });
      context.jobs.register(followerInfoJob(clients, context));
      context.commands.register(qrcodeCommand(clients));
    }
  },
});
