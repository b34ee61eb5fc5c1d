import { areaList } from '@vant/area-data';
import { pinyin } from 'pinyin-pro';

/**
 * Provinces and cities of China under one name each, whichever way they were written: 上海, 上海市, Shanghai and
 * shanghai are 上海; 广西壮族自治区, 广西 and Guangxi are 广西. The places come from Vant's administrative-division
 * data (@vant/area-data, the national codes), their romanisations from pinyin-pro, with the English names that are
 * not plain pinyin (Harbin, Urumqi, Hohhot, Lhasa, Tibet, Inner Mongolia, Shaanxi, Hong Kong, Macau). Two places with
 * the same pinyin (苏州 and 宿州 are both Suzhou) give the romanisation to the first by national code. A place the
 * data doesn't know keeps its name, trimmed (and capitalised, when it is in Latin letters: new york → New York).
 */

/** Divisions of the data that are not places (groupings of counties). */
const notPlaces = new Set(['县', '省直辖县', '自治区直辖县级行政区划']);

/** Romanisations that are not the pinyin of the Chinese name, or that pinyin alone would give to another place. */
const englishCities: Record<string, string> = {
  harbin: '哈尔滨',
  urumqi: '乌鲁木齐',
  hohhot: '呼和浩特',
  lhasa: '拉萨',
  kashgar: '喀什地区',
  hongkong: '香港',
  macau: '澳门',
  macao: '澳门',
  peking: '北京',
};
const englishProvinces: Record<string, string> = {
  shaanxi: '陕西',
  shanxi: '山西',
  innermongolia: '内蒙古',
  tibet: '西藏',
  hongkong: '香港',
  macau: '澳门',
  macao: '澳门',
};

/** Words after a place's name that don't change which place it is, in Chinese and in English. */
const chineseSuffix = /(?:壮族|回族|维吾尔)?(?:特别行政区|自治区|省|市|地区|盟)$/u;
const latinSuffixes = [
  'specialadministrativeregion',
  'autonomousregion',
  'municipality',
  'province',
  'prefecture',
  'sheng',
  'city',
  'shi',
  'sar',
];

/** A name as a lookup key: lower-case, without blanks, apostrophes, hyphens or dots (Xi'an → xian). */
const keyOf = (text: string) =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s'’.\-·]/g, '');

const romanised = (name: string) => pinyin(name, { toneType: 'none', type: 'array' }).join('');

interface PlaceIndex {
  byKey: Map<string, string>;
  /** Names the data holds, to tell a known place (kept as the data writes it) from anything else. */
  canonical: Set<string>;
}

function indexOf(
  entries: readonly (readonly [code: string, name: string])[],
  english: Record<string, string>,
): PlaceIndex {
  const byKey = new Map<string, string>();
  const canonical = new Set<string>();
  const add = (alias: string, name: string) => {
    const key = keyOf(alias);
    if (key && !byKey.has(key)) byKey.set(key, name);
  };
  const sorted = [...entries].sort(([a], [b]) => a.localeCompare(b));
  // Chinese names first, so a romanisation never takes a key a Chinese name holds.
  const named = sorted
    .filter(([, full]) => !notPlaces.has(full))
    .map(([, full]) => {
      const autonomous = full.endsWith('自治州');
      const short = autonomous ? full : full.replace(chineseSuffix, '');
      const name = short.length >= 2 ? short : full;
      canonical.add(name);
      add(full, name);
      add(name, name);
      if (autonomous) add(full.slice(0, -'自治州'.length), name);
      return name;
    });
  for (const [alias, name] of Object.entries(english)) add(alias, name);
  for (const name of named) if (!name.endsWith('自治州')) add(romanised(name), name);
  return { byKey, canonical };
}

let indexes: { cities: PlaceIndex; provinces: PlaceIndex } | undefined;

function places(): { cities: PlaceIndex; provinces: PlaceIndex } {
  if (!indexes) {
    const provinces = Object.entries(areaList.province_list);
    // Municipalities and the special administrative regions are cities too (上海 is a city and a province).
    const municipalities = provinces.filter(([, name]) => /^(北京|天津|上海|重庆|香港|澳门)/u.test(name));
    indexes = {
      cities: indexOf([...Object.entries(areaList.city_list), ...municipalities], englishCities),
      provinces: indexOf(provinces, englishProvinces),
    };
  }
  return indexes;
}

function lookUp(index: PlaceIndex, text: string): string | undefined {
  const key = keyOf(text);
  const found = index.byKey.get(key);
  if (found) return found;
  for (const suffix of latinSuffixes)
    if (key.endsWith(suffix) && key.length > suffix.length) {
      const shorter = index.byKey.get(key.slice(0, -suffix.length));
      if (shorter) return shorter;
    }
  return undefined;
}

/** Latin-letter text capitalised word by word (a place the data doesn't know: new york → New York). */
function capitalised(text: string): string {
  return /^[A-Za-z][A-Za-z\s'’.-]*$/.test(text)
    ? text
        .toLowerCase()
        .replace(/(^|[\s'’.-])([a-z])/g, (_whole, before: string, letter: string) => before + letter.toUpperCase())
    : text;
}

/** A city by its one name: 上海市, Shanghai, SHANGHAI → 上海. */
export function normalizeCity(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  return lookUp(places().cities, trimmed) ?? capitalised(trimmed);
}

/** A province (or autonomous region, municipality, SAR) by its one name: 广东省, Guangdong → 广东. */
export function normalizeProvince(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  return lookUp(places().provinces, trimmed) ?? capitalised(trimmed);
}

/** Names of China, as people write them. */
const chinaNames = new Set([
  '中国',
  '中华人民共和国',
  'china',
  'cn',
  'chn',
  'prc',
  'peoplesrepublicofchina',
  'mainlandchina',
]);

/** A country: China by one name (中国), any other capitalised as written. */
export function normalizeCountry(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  return chinaNames.has(keyOf(trimmed)) ? '中国' : capitalised(trimmed);
}
