import { randomBytes } from 'node:crypto';
import { type ChartSpec } from '../charts/chart-kinds';
import { renderChart } from '../charts/chart-renderer';
import type { Database } from '../db/database';
import type { Clock } from '../util/clock';
import type { BotImage } from './bot-command.types';

/** How long a drawn chart stays reachable by its link. */
const keptMs = 7 * 24 * 3_600_000;
/** How often old charts are swept. */
const sweepEveryMs = 3_600_000;

/**
 * Charts for answers: drawn (ECharts to SVG, resvg to PNG), kept in `bot_charts` under an unguessable token so an
 * answer over HTTP can link to it from any instance, and handed to the transport with the picture itself (WeChat sends
 * it as an image, the console writes it to a file) and the data it shows.
 */
export class ChartStore {
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async draw(spec: ChartSpec): Promise<BotImage> {
    const { png } = await renderChart(spec.option);
    const token = randomBytes(12).toString('base64url');
    const now = this.clock();
    // Charts past their week are dropped now and then (an hour apart at most), not at every drawing.
    if (now.getTime() - this.lastSweep >= sweepEveryMs) {
      this.lastSweep = now.getTime();
      await this.db.execute('DELETE FROM bot_charts WHERE created_at < ?', [new Date(now.getTime() - keptMs)]);
    }
    await this.db.execute('INSERT INTO bot_charts (token, name, png, created_at) VALUES (?, ?, ?, ?)', [
      token,
      spec.name,
      png,
      now,
    ]);
    return { name: spec.name, url: `/api/bot/charts/${token}.png`, png, data: spec.data };
  }

  /** A chart's PNG by its token, if it is still kept. */
  async png(token: string): Promise<Buffer | undefined> {
    if (!/^[A-Za-z0-9_-]{16}$/.test(token)) return undefined;
    const [row] = await this.db.select<{ png: Buffer }>('SELECT png FROM bot_charts WHERE token = ?', [token]);
    return row ? Buffer.from(row.png) : undefined;
  }
}
