import { ApiError } from './api-error.js';
import { authenticateRequest, type Principal } from './authenticate-request.js';
import { authorizeCall } from './authorize-call.js';
import { checkEndpointRegion } from './endpoint-region.js';
import { errorBody } from './error-response.js';
import type { EmulatorState } from './emulator-state.js';
import type { FaultDecision, TerminalFault } from './fault-plan.js';
import { formatCreationTime, type StoredImage } from './image-store.js';
import { invalidRegion, parseListCustomImagesQuery } from './list-custom-images-params.js';
import { listCustomImagesBody, listCustomImagesBytes, pageOfImages } from './list-custom-images.js';
import { listRegionsBody } from './list-regions.js';
import { shapeListBody } from './odd-responses.js';
import type { ApiRequest } from './parse-request.js';

export const API_VERSION = '2020-06-01';
export const ACTIONS = ['ListRegions', 'ListCustomImages'] as const;

/** What the server must send (or not send) for one API call; everything but the I/O. */
export interface ApiOutcome {
  status: number;
  headers: Record<string, string>;
  /** UTF-8 bytes of the JSON body. */
  body: Buffer;
  code: string;
  latencyMs: number;
  transport?: Exclude<TerminalFault, { type: 'error' }>;
  principal?: Principal;
  action: string | null;
  region: string | null;
  page: number | null;
  pageSize: number | null;
  faults: string[];
}

function intParam(params: ReadonlyMap<string, string>, name: string, fallback: number | null): number | null {
  const raw = params.get(name);
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : fallback;
}

/**
 * The gateway pipeline for one call: action and version, authentication, faults, then the
 * action itself. Errors of any step become the standard error body with their status.
 */
export function handleApiCall(state: EmulatorState, req: ApiRequest, requestId: string): ApiOutcome {
  const hostHeader = req.headers.host ?? 'swas-open.aliyuncs.com';
  const region = req.params.get('RegionId') || null;
  const isList = req.action === 'ListCustomImages';
  const outcome: ApiOutcome = {
    status: 200,
    headers: { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId },
    body: Buffer.alloc(0),
    code: 'OK',
    latencyMs: 0,
    action: req.action ?? null,
    region,
    page: isList ? intParam(req.params, 'PageNumber', 1) : null,
    pageSize: isList ? intParam(req.params, 'PageSize', 10) : null,
    faults: [],
  };
  let decision: FaultDecision | undefined;
  try {
    if (req.action === undefined || req.action === '') throw new ApiError('MissingParameter', 400, 'The input parameter "Action" that is mandatory for processing this request is not supplied.');
    if (!(ACTIONS as readonly string[]).includes(req.action)) {
      throw new ApiError('InvalidAction.NotFound', 404, `Specified api ${req.action} is not found (the emulator serves ${ACTIONS.join(', ')}).`);
    }
    if (req.version !== API_VERSION) {
      throw new ApiError('InvalidVersion', 400, `Specified parameter Version "${req.version ?? ''}" is not valid (expected ${API_VERSION}).`);
    }
    const principal = authenticateRequest(req, { credential: (id) => state.store.credential(id), nonces: state.nonces, now: state.now });
    outcome.principal = principal;
    state.rateLimit.check(principal.accessKeyId, state.now().getTime());
    if (!state.faults.empty) {
      decision = state.faults.decide({
        accountUid: principal.accountUid,
        accessKeyId: principal.accessKeyId,
        action: req.action,
        ...(region === null ? {} : { region }),
        ...(outcome.page === null ? {} : { page: outcome.page }),
        nowMs: state.now().getTime(),
      });
      outcome.faults = decision.fired;
      outcome.latencyMs = decision.latencyMs;
      if (decision.terminal?.type === 'error') throw decision.terminal.error;
      if (decision.terminal) outcome.transport = decision.terminal;
    }
    outcome.body = req.action === 'ListRegions'
      ? Buffer.from(JSON.stringify(listRegionsBody(requestId, req.params, state.store.regions)))
      : listCustomImages(state, req, principal, requestId, decision);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    outcome.status = error.status;
    outcome.code = error.code;
    Object.assign(outcome.headers, error.headers);
    outcome.body = Buffer.from(JSON.stringify(errorBody(error, requestId, hostHeader)));
  }
  return outcome;
}

function listCustomImages(state: EmulatorState, req: ApiRequest, principal: Principal, requestId: string, decision: FaultDecision | undefined): Buffer {
  const query = parseListCustomImagesQuery(req.params);
  if (!state.store.hasRegion(query.regionId)) throw invalidRegion(query.regionId);
  checkEndpointRegion(req.headers.host, query.regionId);
  if (principal.permissions !== undefined) {
    const permissions = principal.permissions;
    authorizeCall(permissions, {
      type: permissions.principalType ?? (principal.viaSts ? 'AssumedRoleUser' : 'SubUser'),
      ownerUid: principal.accountUid,
      displayName: permissions.displayName ?? (principal.viaSts ? 'swas-inventory-role:session' : 'swas-inventory-user'),
    }, { action: 'ListCustomImages', regionId: query.regionId, accountUid: principal.accountUid, imageIds: query.imageIds });
  }
  const visible = state.store.visibleImages(principal.accountUid, query.regionId, query.share);
  const page = pageOfImages(visible, query);
  if (decision?.drift) applyDrift(state, decision.drift, principal.accountUid, query.regionId, page.items);
  const shaped = decision && (decision.oddTypes.size > 0 || decision.badItems.length > 0);
  return shaped
    ? Buffer.from(JSON.stringify(shapeListBody(listCustomImagesBody(requestId, query, page), decision)))
    : listCustomImagesBytes(requestId, query, page);
}

/**
 * Page drift is a real change of state between page k and k+1: an image created now sorts first
 * and pushes the last item of page k onto page k+1 (seen twice); removing the first item of
 * page k pulls the first item of page k+1 back onto page k (never seen).
 */
function applyDrift(state: EmulatorState, mode: 'insert' | 'remove', accountUid: string, regionId: string, pageItems: readonly StoredImage[]): void {
  if (mode === 'remove') {
    const first = pageItems[0];
    if (first) state.store.deleteImage(first.imageId);
    return;
  }
  const newest = state.store.visibleImages(accountUid, regionId, undefined)[0];
  const now = state.now();
  const after = newest ? new Date(Date.parse(newest.creationTime) + 1000) : now;
  state.store.createImage({
    ownerUid: accountUid,
    regionId,
    name: `drift-inserted-${state.store.version}`,
    description: 'inserted by the pageDrift fault',
    creationTime: formatCreationTime(after > now ? after : now),
  });
}
