import type { BotCommand, BotLocale } from '../../src/plugins/plugin-sdk';
import type { WechatApiClient } from './wechat-api-client';
import { WechatApiError } from './wechat.errors';

/** What the command says, per locale (the plugin's own catalogue). */
const texts: Record<
  BotLocale,
  Record<'summary' | 'usage' | 'noAccount' | 'made' | 'expires' | 'permanent' | 'refused', string>
> = {
  'zh-CN': {
    summary: '为渠道生成带参数二维码（扫码关注会带上场景值）',
    usage: '用法：/二维码 <场景值> [permanent] [account:<公众号>]，例如 /二维码 store-0217',
    noAccount: '公众号 {account} 没有配置 appSecret，无法调用接口。',
    made: '场景 {scene} 的二维码：{imageUrl}\n（二维码内容：{url}）',
    expires: '有效期 {days} 天。',
    permanent: '永久二维码。',
    refused: '微信拒绝了：{code} {message}',
  },
  en: {
    summary: 'a parametric QR code for a channel (scans and follows carry its scene)',
    usage: 'Usage: /qrcode <scene> [permanent] [account:<name>], e.g. /qrcode store-0217',
    noAccount: 'Account {account} has no API access (configure its appSecret).',
    made: 'QR code for scene {scene}: {imageUrl}\n(it encodes {url})',
    expires: 'Valid for {days} days.',
    permanent: 'Permanent.',
    refused: 'WeChat refused: {code} {message}',
  },
};

const fill = (text: string, values: Record<string, string | number>) =>
  text.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));

/** `qrcode <scene> [permanent]`: mints a parametric QR code (temporary: 30 days) and answers with its image. */
export function qrcodeCommand(clients: ReadonlyMap<string, WechatApiClient>): BotCommand {
  return {
    name: 'qrcode',
    aliases: ['二维码'],
    role: 'operator',
    usage: '/qrcode <scene> [permanent] [account:<name>]',
    summary: { 'zh-CN': texts['zh-CN'].summary, en: texts.en.summary },
    async run({ args, locale }) {
      const say = texts[locale];
      const scene = args[0];
      if (!scene || scene.length > 64) return say.usage;
      const permanent = args.slice(1).some((arg) => ['permanent', '永久'].includes(arg.toLowerCase()));
      const account =
        /^(?:account|账号)[:：](.+)$/.exec(args.slice(1).find((arg) => /^(account|账号)[:：]/.test(arg)) ?? '')?.[1] ??
        'default';
      const client = clients.get(account);
      if (!client) return fill(say.noAccount, { account });
      try {
        const code = await client.createQrCode(
          scene,
          permanent ? { permanent } : { permanent, expireSeconds: 2_592_000 },
        );
        const lifetime = code.expireSeconds
          ? fill(say.expires, { days: Math.round(code.expireSeconds / 86_400) })
          : say.permanent;
        // The picture itself where the chat shows pictures; its link in the text for the others.
        return {
          text: `${fill(say.made, { scene, imageUrl: code.imageUrl, url: code.url })}\n${lifetime}`,
          image: { url: code.imageUrl, name: `${scene}.jpg` },
        };
      } catch (error) {
        if (error instanceof WechatApiError)
          return {
            text: fill(say.refused, { code: error.errcode, message: error.errmsg }),
            failed: `WeChat ${error.errcode}`,
          };
        throw error;
      }
    },
  };
}
