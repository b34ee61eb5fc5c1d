import { readdirSync } from 'node:fs';
import path from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { type Catalogue, declaredCatalogues, locales, renderMessage } from '../../src/i18n/message-catalog';
import { englishSentenceIn } from '../support/english-sentence';

// Every catalogue: the bot's and each room's `<room>.messages.ts`.
const root = path.join(__dirname, '../../src');
const roomCatalogues = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) =>
  file.endsWith('.messages.ts'),
);
for (const file of ['bot/message-catalog.ts', ...roomCatalogues])
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded before the tests are listed, by name
  require(path.join(root, file));
// And the plugins' own (`plugins/<name>/<name>.messages.ts`).
const pluginsRoot = path.join(__dirname, '../../plugins');
for (const file of readdirSync(pluginsRoot, { recursive: true, encoding: 'utf8' }).filter((name) =>
  name.endsWith('.messages.ts'),
))
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded before the tests are listed, by name
  require(path.join(pluginsRoot, file));

/** Values for every argument a message names: numbers where it counts or formats one, text elsewhere. */
function sampleValues(message: string, locale: string): Record<string, string | number> {
  const values: Record<string, string | number> = {};
  const walk = (elements: ReturnType<IntlMessageFormat['getAst']>) => {
    for (const element of elements) {
      // 1 argument, 2 number, 5 select, 6 plural (with options holding more elements).
      if (element.type === 1) values[element.value] ??= 'X';
      if (element.type === 2 || element.type === 6) values[element.value] = 2;
      if (element.type === 5) values[element.value] = 'other';
      if ('options' in element)
        for (const option of Object.values(element.options as Record<string, { value: typeof elements }>))
          walk(option.value);
    }
  };
  walk(new IntlMessageFormat(message, locale, undefined, { ignoreTag: true }).getAst());
  return values;
}

const catalogues = declaredCatalogues();
const entries = catalogues.flatMap((catalogue: Catalogue) =>
  Object.keys(catalogue.messages.en).map((key) => [catalogue.name, key, catalogue] as const),
);

describe('the message catalogues', () => {
  it('are found: the bot’s and the rooms’', () => {
    expect(catalogues.map((catalogue) => catalogue.name)).toContain('bot');
  });

  it.each(entries)(
    '%s: %s reads in every locale, and in Chinese without an English sentence',
    (_name, key, catalogue) => {
      for (const locale of locales) {
        const message = catalogue.messages[locale][key];
        expect(typeof message).toBe('string');
        const rendered = renderMessage(catalogue, locale, key, sampleValues(message, locale));
        expect(rendered.length).toBeGreaterThan(0);
        if (locale === 'zh-CN') expect(englishSentenceIn(rendered)).toBeUndefined();
      }
    },
  );

  it('holds the same keys in every locale', () => {
    for (const catalogue of catalogues)
      expect(Object.keys(catalogue.messages['zh-CN']).sort()).toEqual(Object.keys(catalogue.messages.en).sort());
  });
});
