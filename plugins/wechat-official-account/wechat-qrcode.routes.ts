import { z } from 'zod';
import { AppError, type AppContext, NotFoundError, parseInput, readJsonBody, slug } from '../../src/plugins/plugin-sdk';
import type { WechatApiClient } from './wechat-api-client';
import { WechatApiError } from './wechat.errors';

const qrcodeRequest = z
  .object({
    /** The scene a follow or scan from this code carries (`store-0217`): map it to a channel in `sceneChannels`. */
    scene: z.string().trim().min(1).max(64),
    /** Permanent codes never expire (WeChat allows 100,000 of them); temporary ones live `expireSeconds`. */
    permanent: z.boolean().default(false),
    expireSeconds: z.number().int().min(60).max(2_592_000).default(2_592_000),
    account: slug.default('default'),
  })
  .strict();

/** `POST /api/wechat/qrcodes {scene, permanent}` → the ticket, the URL the code encodes and where its image is. */
export function qrcodeHandler(clients: ReadonlyMap<string, WechatApiClient>, bodyLimitBytes: number) {
  return async (ctx: AppContext): Promise<void> => {
    const { json } = await readJsonBody(ctx, bodyLimitBytes);
    const request = parseInput(qrcodeRequest, json, 'body');
    const client = clients.get(request.account);
    if (!client) throw new NotFoundError(`account ${request.account} has no API access (configure its appSecret)`);
    try {
      const code = await client.createQrCode(request.scene, {
        permanent: request.permanent,
        ...(request.permanent ? {} : { expireSeconds: request.expireSeconds }),
      });
      ctx.status = 201;
      ctx.body = { account: request.account, scene: request.scene, permanent: request.permanent, ...code };
    } catch (error) {
      if (error instanceof WechatApiError)
        throw new AppError('wechat_error', `WeChat refused the QR code: ${error.errcode} ${error.errmsg}`, 502, {
          errcode: error.errcode,
        });
      throw error;
    }
  };
}
