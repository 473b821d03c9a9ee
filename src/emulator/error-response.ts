import type { ApiError } from './api-error.js';

/** The standard POP error body: {RequestId, HostId, Code, Message, Recommend}. */
export interface ErrorBody {
  RequestId: string;
  HostId: string;
  Code: string;
  Message: string;
  Recommend: string;
  /** Present on RAM denials (403 Forbidden.RAM / NoPermission); the SDK maps it to `accessDeniedDetail`. */
  AccessDeniedDetail?: unknown;
}

export function errorBody(error: ApiError, requestId: string, hostId: string): ErrorBody {
  return {
    RequestId: requestId,
    HostId: hostId,
    Code: error.code,
    Message: error.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=SWAS-OPEN&requestId=${requestId}`,
    ...error.bodyFields,
  };
}
