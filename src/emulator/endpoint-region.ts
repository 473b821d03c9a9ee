import { ApiError } from './api-error.js';

/**
 * The Host check. Every region has its own endpoint (`swas.<region>.aliyuncs.com`, VPC
 * `swas-vpc.<region>.aliyuncs.com`); a region's calls sent to another region's endpoint are
 * refused, the way ECS refuses them (`InvalidOperation.NotSupportedEndpoint`, "The specified
 * endpoint can't operate this region"). Any other Host (loopback, a proxy's name, the SDK's
 * fallback `swas-open.aliyuncs.com`) is served for every region: that is how the emulator is
 * reached at all. The SWAS code and status are UNVERIFIED (docs/EMULATOR.md).
 */
const REGION_ENDPOINT = /^swas(?:-vpc)?\.([a-z0-9-]+)\.aliyuncs\.com(?::\d+)?$/i;

/** The region a Host names, or null when it is not a regional SWAS endpoint. */
export function endpointRegion(host: string | undefined): string | null {
  const match = host === undefined ? null : REGION_ENDPOINT.exec(host.trim());
  return match?.[1]?.toLowerCase() ?? null;
}

export function checkEndpointRegion(host: string | undefined, regionId: string): void {
  const served = endpointRegion(host);
  if (served !== null && served !== regionId) {
    throw new ApiError('InvalidOperation.NotSupportedEndpoint', 400,
      `The specified endpoint can't operate this region (${host ?? ''} serves ${served}, the call is for ${regionId}). Please use API ListRegions to get the appropriate endpoint.`);
  }
}
