import { normalizeCity, normalizeCountry, normalizeProvince } from '../../src/profiles/china-places';

describe('places of China by one name', () => {
  it.each([
    ['上海', '上海'],
    ['上海市', '上海'],
    ['Shanghai', '上海'],
    ['shanghai', '上海'],
    [' SHANGHAI ', '上海'],
    ['Shanghai City', '上海'],
    ['北京市', '北京'],
    ['Beijing', '北京'],
    ['广州市', '广州'],
    ['Guangzhou', '广州'],
    ["Xi'an", '西安'],
    ['xian', '西安'],
    ['Harbin', '哈尔滨'],
    ['Urumqi', '乌鲁木齐'],
    ['Hong Kong', '香港'],
    ['Suzhou', '苏州'],
    ['宿州', '宿州'],
    ['延边朝鲜族自治州', '延边朝鲜族自治州'],
    ['延边朝鲜族', '延边朝鲜族自治州'],
    ['new york', 'New York'],
    ['Tōkyō', 'Tōkyō'],
  ])('city %s is %s', (typed, city) => {
    expect(normalizeCity(typed)).toBe(city);
  });

  it.each([
    ['广东省', '广东'],
    ['Guangdong', '广东'],
    ['guangdong province', '广东'],
    ['广西壮族自治区', '广西'],
    ['Guangxi', '广西'],
    ['内蒙古自治区', '内蒙古'],
    ['Inner Mongolia', '内蒙古'],
    ['Shaanxi', '陕西'],
    ['Shanxi', '山西'],
    ['上海', '上海'],
    ['Tibet', '西藏'],
  ])('province %s is %s', (typed, province) => {
    expect(normalizeProvince(typed)).toBe(province);
  });

  it.each([
    ['China', '中国'],
    ['CN', '中国'],
    ['中华人民共和国', '中国'],
    ['japan', 'Japan'],
  ])('country %s is %s', (typed, country) => {
    expect(normalizeCountry(typed)).toBe(country);
  });
});
