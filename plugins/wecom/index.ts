import { definePlugin } from '../../src/plugins/plugin-sdk';
import { WecomApiClient } from './wecom-api-client';
import { WecomAppChannel } from './wecom-app-channel';
import { WecomCallback } from './wecom-callback.routes';
import { wecomConfigSchema } from './wecom-config.schema';
import { WecomRobotAnnouncer } from './wecom-robot';

/**
 * WeCom (企业微信), the operators' official chat. Each self-built app answers its callback at `/wecom/<app>`: members
 * configured as operators (`bot.operators[].contact: wecom:<userid>`) talk to the bot there, get answers and charts
 * through the send API, and confirm a push plan with the card's button; the morning digest reaches them there too.
 * Each group robot posts to the team's group what it is configured for: finished pushes, alerts, the digest.
 */
export default definePlugin({
  name: 'wecom',
  description: 'WeCom self-built apps as the operators’ chat with the bot, and group robots for notifications',
  configSchema: wecomConfigSchema,
  setup(context) {
    const { config } = context;
    const callbacks: WecomCallback[] = [];
    for (const app of config.apps) {
      const client = new WecomApiClient(
        { name: app.name, corpId: app.corpId, agentId: app.agentId, secret: app.secret.reveal() },
        { ...config.api, clock: context.clock },
        context.credentials,
      );
      const channel = new WecomAppChannel(app.name, client, config.api, context);
      context.bot.channels.register(channel);
      const callback = new WecomCallback(app, config, channel, context);
      callbacks.push(callback);
      const path = `/wecom/${app.name}`;
      context.http.route({ method: 'GET', path, auth: 'none', handler: callback.verifyUrl });
      context.http.route({ method: 'POST', path, auth: 'none', handler: callback.receive });
      context.log.info({ app: app.name, agentId: app.agentId, path }, 'wecom app ready');
    }
    const robots = config.robots.map((robot) => new WecomRobotAnnouncer(robot, config.api, context));
    for (const robot of robots) context.bot.announcers.register(robot);
    if (robots.length > 0) context.log.info({ robots: robots.map((robot) => robot.name) }, 'wecom robots ready');
    context.onStop(async () => {
      await Promise.all(callbacks.map((callback) => callback.drain()));
      await Promise.all(robots.map((robot) => robot.stop()));
    });
  },
});
