/** Deterministic pseudo-random numbers, so every demo database looks the same. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES = [
  '上海',
  '北京',
  '广州',
  '深圳',
  '杭州',
  '苏州',
  '南京',
  '成都',
  '武汉',
  '宁波',
  '厦门',
  '青岛',
  '天津',
  '重庆',
  '东莞',
  '佛山',
  '无锡',
  '长沙',
  '郑州',
  '合肥',
];
const BRANDS = [
  '华盛',
  '鑫达',
  '恒通',
  '瑞丰',
  '宏远',
  '金诚',
  '永信',
  '博达',
  '康源',
  '裕隆',
  '新天',
  '泰和',
  '中联',
  '广源',
  '嘉禾',
  '明辉',
  '顺发',
  '百利',
  '德胜',
  '创新',
];
const TRADES = ['贸易', '五金', '食品', '电子', '建材', '医疗器械', '纺织', '化工', '家居', '汽配', '包装', '办公用品'];
const SUFFIXES = ['有限公司', '有限公司', '有限责任公司', '股份有限公司', '商行', '经营部'];
const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '赵',
  '黄',
  '周',
  '吴',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
  '罗',
  '高',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '涛',
  '明',
  '超',
  '秀英',
  '建华',
  '志强',
  '海燕',
  '丽',
];
const DISTRICTS = [
  '浦东新区',
  '朝阳区',
  '天河区',
  '南山区',
  '西湖区',
  '工业园区',
  '鼓楼区',
  '高新区',
  '江汉区',
  '鄞州区',
];
const ROADS = ['人民路', '解放路', '中山路', '建设路', '新华路', '长江路', '和平路', '文化路'];

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

/** A realistic company: name, contact, mobile and address. Names are unique within one run. */
export function companyFactory(seed: number) {
  const r = rng(seed);
  const used = new Set<string>();
  return () => {
    let name = '';
    let city = '';
    do {
      city = pick(r, CITIES);
      name = `${city}${pick(r, BRANDS)}${pick(r, TRADES)}${pick(r, SUFFIXES)}`;
    } while (used.has(name));
    used.add(name);
    const phone = `1${pick(r, ['3', '5', '8', '7'])}${String(Math.floor(r() * 1e9)).padStart(9, '0')}`;
    const address = `${city}市${pick(r, DISTRICTS)}${pick(r, ROADS)}${1 + Math.floor(r() * 800)}号`;
    return { name, contact: `${pick(r, SURNAMES)}${pick(r, GIVEN)}`, phone, address, r };
  };
}
