/**
 * The real SDK, configured the way the issue says a user points it at the emulator.
 * The package is CommonJS with `exports.default = Client`; under Node ESM the default import is
 * `module.exports`, under vite it may already be the class: accept both.
 */
import * as SwasModule from '@alicloud/swas-open20200601';
import * as Core from '@alicloud/openapi-core';

type ClientClass = typeof SwasModule.default.default;
const moduleDefault = SwasModule.default as { default?: ClientClass };
export const Client: ClientClass = moduleDefault.default ?? (moduleDefault as unknown as ClientClass);
export type SwasClient = InstanceType<ClientClass>;
export const { ListCustomImagesRequest, ListCustomImagesRequestTag, ListRegionsRequest } = SwasModule;
export const { ThrottlingError, ClientError, ServerError, $OpenApiUtil, OpenApiUtil } = Core;

export interface ClientOptions {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  readTimeout?: number;
}

export function sdkClient(endpoint: string, creds: ClientOptions): SwasClient {
  return new Client(new $OpenApiUtil.Config({
    accessKeyId: creds.accessKeyId,
    accessKeySecret: creds.accessKeySecret,
    ...(creds.securityToken === undefined ? {} : { securityToken: creds.securityToken }),
    endpoint,
    protocol: 'http',
    regionId: 'cn-hangzhou',
    ...(creds.readTimeout === undefined ? {} : { readTimeout: creds.readTimeout }),
  }));
}
