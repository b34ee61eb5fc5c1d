import type { JobDefinition, PluginContext } from '../../src/plugins/plugin-sdk';
import type { WechatApiClient } from './wechat-api-client';

/** Followers looked up per run and account: 50 `user/info/batchget` calls of 100. */
const perRun = 5000;

/**
 * Hourly: followers not looked up yet are enriched from `user/info/batchget` with their unionid (linking them to
 * what the CRM or the website knows under it) and how they subscribed (`subscribeScene`, and `qrScene` for a QR
 * code), plus their language. The scene marks a follower as looked up, so each is asked about once; one WeChat says
 * is not following is marked `subscribeScene: unsubscribed`.
 */
export function followerInfoJob(
  clients: ReadonlyMap<string, WechatApiClient>,
  context: Pick<PluginContext, 'profiles'>,
): JobDefinition {
  return {
    name: 'follower-info',
    schedule: '17 * * * *',
    async run({ log, signal }) {
      for (const [account, client] of clients) {
        let after = 0;
        let looked = 0;
        const outcomes: Record<string, number> = {};
        while (looked < perRun && !signal.aborted) {
          const followers = await context.profiles.followersWithout(account, 'subscribeScene', {
            limit: 100,
            afterProfileId: after,
          });
          if (followers.length === 0) break;
          after = followers[followers.length - 1].profileId;
          looked += followers.length;
          const users = new Map(
            (await client.batchGetUsers(followers.map((follower) => follower.openid))).map((user) => [
              user.openid,
              user,
            ]),
          );
          for (const follower of followers) {
            const user = users.get(follower.openid);
            if (!user) continue;
            const attributes: Record<string, string> =
              user.subscribe === 1
                ? {
                    subscribeScene: user.subscribe_scene ?? 'unknown',
                    ...(user.qr_scene_str ? { qrScene: user.qr_scene_str } : {}),
                    ...(user.language ? { language: user.language } : {}),
                  }
                : { subscribeScene: 'unsubscribed' };
            const outcome = await context.profiles.enrich(
              { type: 'openid', scope: account, value: follower.openid },
              {
                identities: user.unionid ? [{ type: 'unionid', scope: '', value: user.unionid }] : [],
                attributes,
                channel: 'wechat',
              },
            );
            outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
          }
        }
        if (looked > 0) log.info({ account, looked, outcomes }, 'followers looked up');
      }
    },
  };
}
