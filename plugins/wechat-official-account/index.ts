import { definePlugin } from '../../src/plugins/plugin-sdk';
import { SceneChannels } from './scene-channel';
import { wechatConfigSchema } from './wechat-config.schema';
import { WechatWebhook } from './wechat-webhook.handler';

/**
 * WeChat official accounts, inbound: each account's webhook (`/wechat` for the account named `default`,
 * `/wechat/<name>` for the others) verifies, decrypts and records every follower message and event exactly once, and
 * answers with the configured passive reply.
 */
export default definePlugin({
  name: 'wechat-official-account',
  description: 'WeChat official account webhooks: messages and events onto the timeline, passive replies',
  configSchema: wechatConfigSchema,
  setup(context) {
    const scenes = new SceneChannels(context.config.sceneChannels);
    for (const account of context.config.accounts) {
      const webhook = new WechatWebhook(account, context.config, scenes, context);
      const path = account.name === 'default' ? '/wechat' : `/wechat/${account.name}`;
      context.http.route({ method: 'GET', path, auth: 'none', handler: webhook.verifyUrl });
      context.http.route({ method: 'POST', path, auth: 'none', handler: webhook.receive });
      context.log.info({ account: account.name, path, encryption: account.requireEncryption ? 'required' : 'optional' }, 'wechat webhook ready');
    }
  },
});
