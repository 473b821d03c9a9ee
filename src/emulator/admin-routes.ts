import { ApiError } from './api-error.js';
import { parseRateLimit } from './call-rate-limit.js';
import type { EmulatorState } from './emulator-state.js';
import type { SeedDocument } from './seed-format.js';

/** The admin API's answer: a status and a JSON body. */
export interface AdminResponse {
  status: number;
  body: unknown;
}

export interface AdminRequest {
  method: string;
  /** Path below `/_emulator`, e.g. `/images/m-1/shares`. */
  path: string;
  search: URLSearchParams;
  body: unknown;
}

/** Accounts without secrets: the state is served over HTTP and lands in test output. */
export function publicState(state: EmulatorState): unknown {
  return {
    accounts: state.store.accounts.map((a) => ({
      uid: a.uid,
      ...(a.name === undefined ? {} : { name: a.name }),
      accessKeyIds: a.accessKeys.map((k) => k.accessKeyId),
    })),
    regions: state.store.regions.map((r) => r.regionId),
    images: state.store.all(),
    faults: state.faults.list(),
    rateLimit: state.rateLimit.settings,
  };
}

const notFound = (what: string): ApiError => new ApiError('NotFound', 404, `No admin route ${what}.`);

/** Loopback only: the admin API is unsigned, so it must never be reachable from elsewhere. */
export function isLoopback(remoteAddress: string | undefined): boolean {
  if (remoteAddress === undefined) return false;
  return remoteAddress === '::1' || /^(::ffff:)?127\./.test(remoteAddress);
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError('InvalidBody', 400, 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

/** Routes every `/_emulator/*` request; see docs/EMULATOR.md for the table. */
export function routeAdmin(state: EmulatorState, req: AdminRequest): AdminResponse {
  const parts = req.path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  const [resource, id, sub, subId] = parts;
  const route = `${req.method} /${resource ?? ''}${id === undefined ? '' : '/:id'}${sub === undefined ? '' : `/${sub}`}${subId === undefined ? '' : '/:uid'}`;
  const store = state.store;
  switch (route) {
    case 'GET /health':
      return { status: 200, body: { ok: true } };
    case 'GET /state':
      return { status: 200, body: publicState(state) };
    case 'POST /reset': {
      const body = objectBody(req.body);
      state.reset(body.seed === undefined ? undefined : (body.seed as SeedDocument));
      return { status: 200, body: { ok: true } };
    }
    case 'GET /images': {
      const accountUid = req.search.get('accountUid');
      const regionId = req.search.get('regionId');
      const images = store.all().filter((img) => (accountUid === null || img.ownerUid === accountUid) && (regionId === null || img.regionId === regionId));
      return { status: 200, body: { images } };
    }
    case 'POST /images':
      return { status: 201, body: store.createImage(req.body) };
    case 'GET /images/:id': {
      const image = store.get(id ?? '');
      if (!image) throw new ApiError('ImageNotFound', 404, `No image ${id ?? ''} in the emulator.`);
      return { status: 200, body: image };
    }
    case 'PATCH /images/:id':
      return { status: 200, body: store.updateImage(id ?? '', req.body) };
    case 'DELETE /images/:id':
      return { status: 200, body: store.deleteImage(id ?? '') };
    case 'POST /images/:id/shares':
      return { status: 200, body: store.shareImage(id ?? '', String(objectBody(req.body).accountUid ?? '')) };
    case 'DELETE /images/:id/shares/:uid':
      return { status: 200, body: store.unshareImage(id ?? '', subId ?? '') };
    case 'GET /faults':
      return { status: 200, body: { faults: state.faults.list() } };
    case 'POST /faults': {
      const rules = Array.isArray(req.body) ? req.body.map((r) => state.faults.add(r)) : [state.faults.add(req.body)];
      return { status: 201, body: { faults: rules } };
    }
    case 'PUT /faults':
      if (!Array.isArray(req.body)) throw new ApiError('InvalidBody', 400, 'PUT /faults takes a JSON array of fault rules.');
      return { status: 200, body: { faults: state.faults.set(req.body) } };
    case 'DELETE /faults':
      state.faults.clear();
      return { status: 200, body: { faults: [] } };
    case 'DELETE /faults/:id':
      if (!state.faults.remove(id ?? '')) throw new ApiError('FaultNotFound', 404, `No fault ${id ?? ''}.`);
      return { status: 200, body: { faults: state.faults.list() } };
    case 'GET /keys':
      return { status: 200, body: { keys: store.keys() } };
    case 'PATCH /keys/:id':
      return { status: 200, body: store.updateKey(id ?? '', req.body) };
    case 'GET /rate-limit':
      return { status: 200, body: state.rateLimit.settings };
    case 'PUT /rate-limit': {
      let settings;
      try {
        settings = parseRateLimit(req.body);
      } catch (error) {
        throw new ApiError('InvalidRateLimit', 400, (error as Error).message);
      }
      state.rateLimit.set(settings);
      return { status: 200, body: state.rateLimit.settings };
    }
    case 'GET /calls': {
      const since = Number(req.search.get('since') ?? '0');
      return { status: 200, body: { calls: state.log.list(Number.isFinite(since) ? since : 0) } };
    }
    case 'DELETE /calls':
      state.log.clear();
      return { status: 200, body: { calls: [] } };
    default:
      throw notFound(`${req.method} /_emulator${req.path}`);
  }
}
