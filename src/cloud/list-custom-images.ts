/**
 * One ListCustomImages page, exactly as the wire gave it. Dumb on purpose: no paging, no retry,
 * no validation (src/sync parses the envelope and every item with a schema).
 *
 * Why `callApi` and not the typed `listCustomImagesWithOptions`: the typed method passes the body
 * through `$dara.cast(..., new ListCustomImagesResponse({}))`, which (openapi-core 1.0.8 /
 * @darabonba/typescript 1.0.5, core.js `cast`):
 *   - drops every field the model does not name, so `raw` would not be the item as received;
 *   - drops nulls and absent values alike, so "the API sent null" is lost;
 *   - rewrites types: numeric `Status` 1 becomes "1", a string `UserId` "1801858287101234" goes
 *     through parseInt (silent precision loss above 2^53), "true"/1 become booleans;
 *   - throws a bare `Error("type of name is mismatch ...")` on a wrong type, which no caller can
 *     tell apart from a bug, instead of a MalformedResponseError naming the region.
 * `callApi` with the identical Params the typed method builds (same action, version, style,
 * signing and error mapping to ClientError/ServerError/ThrottlingError) returns the parsed wire
 * JSON untouched. (JSON.parse itself still applies: integers beyond 2^53 cannot survive it.)
 */
import { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import type { Account } from '../config/accounts.js';
import { singleAttemptRuntime, type Endpoint, type SwasClients } from './swas-client.js';

export interface CustomImagesPageRequest {
  regionId: string;
  pageNumber: number;
  pageSize: number;
  /** Awaited once the call is admitted (rate limit passed), right before the request is sent. */
  admitted?: () => Promise<void>;
}

/** The page as given: nothing here is validated yet. */
export interface RawCustomImagesPage {
  request: CustomImagesPageRequest;
  /** `CustomImages` from the body: normally an array of PascalCase objects. */
  customImages: unknown;
  totalCount: unknown;
  pageNumber: unknown;
  pageSize: unknown;
  requestId: unknown;
  /** The body itself was not a JSON object (never seen; kept so the caller can fail loudly). */
  bodyIsObject: boolean;
}

/**
 * The Params `listCustomImagesWithOptions` builds in @alicloud/swas-open20200601 4.0.0. Built once:
 * openapi-core only reads them (callApi / doRequest assign none of their fields), so building the
 * Tea model again for every call was only work (issue 24's profile of the unchanged path).
 */
const LIST_CUSTOM_IMAGES_PARAMS = new $OpenApiUtil.Params({
  action: 'ListCustomImages',
  version: '2020-06-01',
  protocol: 'HTTPS',
  pathname: '/',
  method: 'POST',
  authType: 'AK',
  style: 'RPC',
  reqBodyType: 'formData',
  bodyType: 'json',
});

/** Fetches one page. Throws whatever the SDK throws (see classifyError); one call, no retry. */
export async function listCustomImagesPage(
  clients: SwasClients,
  account: Account,
  endpoint: Endpoint,
  request: CustomImagesPageRequest,
): Promise<RawCustomImagesPage> {
  await clients.beforeCall({ account: account.name, action: 'ListCustomImages', endpoint, regionId: request.regionId });
  await request.admitted?.();
  const req = new $OpenApiUtil.OpenApiRequest({
    query: OpenApiUtil.query({ PageNumber: request.pageNumber, PageSize: request.pageSize, RegionId: request.regionId }),
  });
  const response: unknown = await clients.client(account, endpoint).callApi(LIST_CUSTOM_IMAGES_PARAMS, req, singleAttemptRuntime());
  const body = isRecord(response) ? response.body : undefined;
  if (!isRecord(body)) {
    return { request, customImages: undefined, totalCount: undefined, pageNumber: undefined, pageSize: undefined, requestId: undefined, bodyIsObject: false };
  }
  return {
    request,
    customImages: body.CustomImages,
    totalCount: body.TotalCount,
    pageNumber: body.PageNumber,
    pageSize: body.PageSize,
    requestId: body.RequestId,
    bodyIsObject: true,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
