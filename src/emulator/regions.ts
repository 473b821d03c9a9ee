/**
 * The default ListRegions catalogue: the 26 regions seen in a 2026 live response
 * (see shared/reference/swas-api.md). Names follow the console's own spelling, ASCII parentheses.
 */
export interface RegionInfo {
  regionId: string;
  /** LocalName for AcceptLanguage=zh-CN (the default). */
  nameZh: string;
  /** LocalName for AcceptLanguage=en-US. */
  nameEn: string;
}

export const DEFAULT_REGIONS: readonly RegionInfo[] = [
  { regionId: 'cn-qingdao', nameZh: '华北1(青岛)', nameEn: 'China (Qingdao)' },
  { regionId: 'cn-beijing', nameZh: '华北2(北京)', nameEn: 'China (Beijing)' },
  { regionId: 'cn-zhangjiakou', nameZh: '华北3(张家口)', nameEn: 'China (Zhangjiakou)' },
  { regionId: 'cn-huhehaote', nameZh: '华北5(呼和浩特)', nameEn: 'China (Hohhot)' },
  { regionId: 'cn-hangzhou', nameZh: '华东1(杭州)', nameEn: 'China (Hangzhou)' },
  { regionId: 'cn-shanghai', nameZh: '华东2(上海)', nameEn: 'China (Shanghai)' },
  { regionId: 'cn-shenzhen', nameZh: '华南1(深圳)', nameEn: 'China (Shenzhen)' },
  { regionId: 'cn-heyuan', nameZh: '华南2(河源)', nameEn: 'China (Heyuan)' },
  { regionId: 'cn-chengdu', nameZh: '西南1(成都)', nameEn: 'China (Chengdu)' },
  { regionId: 'cn-guangzhou', nameZh: '华南3(广州)', nameEn: 'China (Guangzhou)' },
  { regionId: 'cn-wulanchabu', nameZh: '华北6(乌兰察布)', nameEn: 'China (Ulanqab)' },
  { regionId: 'cn-nanjing', nameZh: '华东5(南京-本地地域-关停中)', nameEn: 'China (Nanjing - Local Region - Closing Down)' },
  { regionId: 'cn-fuzhou', nameZh: '华东6(福州-本地地域-关停中)', nameEn: 'China (Fuzhou - Local Region - Closing Down)' },
  { regionId: 'cn-wuhan-lr', nameZh: '华中1(武汉-本地地域)', nameEn: 'China (Wuhan - Local Region)' },
  { regionId: 'cn-hongkong', nameZh: '中国香港', nameEn: 'China (Hong Kong)' },
  { regionId: 'ap-southeast-1', nameZh: '新加坡', nameEn: 'Singapore' },
  { regionId: 'ap-southeast-3', nameZh: '马来西亚(吉隆坡)', nameEn: 'Malaysia (Kuala Lumpur)' },
  { regionId: 'ap-southeast-5', nameZh: '印度尼西亚(雅加达)', nameEn: 'Indonesia (Jakarta)' },
  { regionId: 'ap-southeast-6', nameZh: '菲律宾(马尼拉)', nameEn: 'Philippines (Manila)' },
  { regionId: 'ap-southeast-7', nameZh: '泰国(曼谷)', nameEn: 'Thailand (Bangkok)' },
  { regionId: 'ap-northeast-1', nameZh: '日本(东京)', nameEn: 'Japan (Tokyo)' },
  { regionId: 'ap-northeast-2', nameZh: '韩国(首尔)', nameEn: 'South Korea (Seoul)' },
  { regionId: 'us-west-1', nameZh: '美国(硅谷)', nameEn: 'US (Silicon Valley)' },
  { regionId: 'us-east-1', nameZh: '美国(弗吉尼亚)', nameEn: 'US (Virginia)' },
  { regionId: 'eu-central-1', nameZh: '德国(法兰克福)', nameEn: 'Germany (Frankfurt)' },
  { regionId: 'eu-west-1', nameZh: '英国(伦敦)', nameEn: 'UK (London)' },
];

/** Public endpoint of a region, as the live ListRegions returns it. */
export function regionEndpoint(regionId: string): string {
  return `swas.${regionId}.aliyuncs.com`;
}
