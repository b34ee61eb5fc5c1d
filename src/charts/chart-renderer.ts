import path from 'node:path';
import { renderAsync } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import { followerGrowthChart, lifecycleChart, topTagsChart } from './chart-kinds';

/**
 * The font charts are drawn with, from the project's dependencies (never the OS): Noto Sans SC (SIL Open Font
 * License), Google Fonts' files as Expo publishes them. Regular and bold, so titles are bold.
 */
const fontDirectory = path.dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'));
export const chartFontFamily = 'Noto Sans SC';
const fontFiles = ['400Regular/NotoSansSC_400Regular.ttf', '700Bold/NotoSansSC_700Bold.ttf'].map((file) =>
  path.join(fontDirectory, file),
);

/** resvg's options: only the bundled font, so a chart looks the same on every machine. */
const resvgOptions = {
  background: '#ffffff',
  font: { fontFiles, loadSystemFonts: false, defaultFontFamily: chartFontFamily },
};

export interface ChartSize {
  width: number;
  height: number;
}

/**
 * An Apache ECharts option drawn on the server: to SVG by ECharts' server-side renderer (no browser), then to PNG by
 * resvg off the event loop (its async render runs on libuv's thread pool). Animation is off and the chart disposed,
 * or ECharts keeps timers alive. The font family is given bare: ECharts writes it into an SVG attribute unescaped.
 */
export async function renderChart(
  option: echarts.EChartsCoreOption,
  size: ChartSize = { width: 800, height: 400 },
): Promise<{ svg: string; png: Buffer }> {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  let svg: string;
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: chartFontFamily },
      ...option,
    });
    svg = chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
  const rendered = await renderAsync(svg, resvgOptions);
  return { svg, png: rendered.asPng() };
}

/**
 * Draws one chart of each kind and throws them away: ECharts' and the font's first use (a few hundred milliseconds),
 * done at start instead of while the first operator waits.
 */
export async function warmUpCharts(): Promise<void> {
  const days = [{ day: '2026-01-01', follows: 1, unfollows: 1 }];
  const counts = [{ name: '粉丝', count: 1 }];
  await Promise.all(
    [followerGrowthChart(days, 'zh-CN'), lifecycleChart(counts, 'zh-CN'), topTagsChart(counts, 'en')].map((spec) =>
      renderChart(spec.option),
    ),
  );
}

/** Whether the chart font's files are where the dependency puts them (a check at start, and in tests). */
export function chartFontFiles(): readonly string[] {
  return fontFiles;
}
