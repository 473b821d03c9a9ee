import { invalidParameter } from './api-error.js';
import { regionEndpoint, type RegionInfo } from './regions.js';

export interface ListRegionsBody {
  RequestId: string;
  Regions: Array<{ RegionId: string; LocalName: string; RegionEndpoint: string }>;
}

/** AcceptLanguage: zh-CN (default) or en-US; anything else is refused rather than guessed. */
export function listRegionsBody(requestId: string, params: ReadonlyMap<string, string>, regions: readonly RegionInfo[]): ListRegionsBody {
  const language = params.get('AcceptLanguage') || 'zh-CN';
  if (language !== 'zh-CN' && language !== 'en-US') {
    throw invalidParameter('AcceptLanguage', `"${language}" is not one of zh-CN, en-US.`);
  }
  return {
    RequestId: requestId,
    Regions: regions.map((r) => ({
      RegionId: r.regionId,
      LocalName: language === 'en-US' ? r.nameEn : r.nameZh,
      RegionEndpoint: regionEndpoint(r.regionId),
    })),
  };
}
