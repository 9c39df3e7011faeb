import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Enterprise } from '@meterline/domain';
import { ApiError } from '../errors.ts';
import { registryOf } from '../registry/registry-view.ts';
import type { Keyring, Principal } from './api-keys.ts';
import { scopeFor, type WriteKind } from './scope.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every /v1 request. */
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** What a write route changes; a write route without it is for admins only (scope.ts). */
    writes?: WriteKind;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD']);
// RFC 6750 b64token: the characters a bearer token may have.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]{1,512}=*)$/;

/**
 * Adds to this plugin context: every request carries `Authorization: Bearer <key>`; a key
 * is refused any other method than GET and HEAD unless its scope may make the kind of write
 * the route declares (config `writes`), so a write route added later is closed to regulators,
 * and to enterprises unless it says otherwise, without a line of its own. A write to an
 * enterprise (path parameter `id`) is checked against the tenant rule here too, before the
 * body is read: another tenant learns nothing from how its body would have been judged.
 * The request's registry view (attachRegistry) must be set before this hook runs.
 */
export function authenticateRequests(app: FastifyInstance, keyring: Keyring): void {
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const unauthenticated = (detail: string) => new ApiError('MTL_API_UNAUTHENTICATED', detail, { headers: { 'www-authenticate': 'Bearer' } });
    if (header === undefined) throw unauthenticated('send the API key as Authorization: Bearer <key>');
    const match = BEARER.exec(header);
    if (!match) throw unauthenticated('the Authorization header is not Bearer <key>');
    const principal = keyring.authenticate(match[1]!);
    if (!principal) throw unauthenticated('the API key is not known');
    request.principal = principal;
    if (READ_METHODS.has(request.method)) return;
    const writes = request.routeOptions.config.writes;
    if (!scopeFor(principal).mayWrite(writes)) {
      throw new ApiError('MTL_API_FORBIDDEN', `the ${principal.role} key ${principal.keyId} may not ${writes === undefined ? 'write here' : `change ${writes}`}`);
    }
    const params = request.params as Record<string, string | undefined>;
    if (writes === 'targets' && params['region'] !== undefined) targetSettingRegion(request, params['region']);
    const enterpriseId = params['id'];
    if (enterpriseId === undefined) return;
    if (writes === 'alerting') alertingEnterprise(request, enterpriseId);
    else if (writes === 'registry') registryEnterprise(request, enterpriseId);
    else if (writes === 'devices') deviceEnterprise(request, enterpriseId);
    else if (writes === 'manual-entries') manualEntryEnterprise(request, enterpriseId);
    else if (writes === 'targets') targetSettingEnterprise(request, enterpriseId);
  });
}

export function principalOf(request: FastifyRequest): Principal {
  // Only routes behind authenticateRequests call this; a missing principal is a wiring bug.
  if (!request.principal) throw new Error('route reached without authentication');
  return request.principal;
}

/**
 * The enterprise a request names, if its key may read it. A key outside the enterprise gets
 * 403 whether or not the enterprise exists, so ids cannot be probed; only an admin learns
 * that an id is unknown (404).
 */
export function readableEnterprise(request: FastifyRequest, enterpriseId: string): Enterprise {
  const principal = principalOf(request);
  const enterprise = registryOf(request).index.enterprise(enterpriseId);
  if (principal.role !== 'admin' && (!enterprise || !scopeFor(principal).mayRead(enterprise))) {
    throw new ApiError('MTL_API_FORBIDDEN', `the ${principal.role} key ${principal.keyId} may not read this enterprise`);
  }
  if (!enterprise) throw new ApiError('MTL_API_NOT_FOUND', `no enterprise ${enterpriseId}`);
  return enterprise;
}

/**
 * The enterprise whose webhook subscriptions and silences a request names, if its key may
 * manage them: as readableEnterprise, and a key that may read but not manage (a regulator)
 * gets 403.
 */
export function alertingEnterprise(request: FastifyRequest, enterpriseId: string): Enterprise {
  const enterprise = readableEnterprise(request, enterpriseId);
  const principal = principalOf(request);
  if (!scopeFor(principal).mayManageAlerting(enterprise)) {
    throw new ApiError('MTL_API_FORBIDDEN', `the ${principal.role} key ${principal.keyId} may not see or change this enterprise's subscriptions`);
  }
  return enterprise;
}

/**
 * The id of the enterprise whose registry entry a request uploads, if its key may: an admin
 * any (a new id makes a new enterprise), an enterprise key its own only, whether or not it is
 * in the registry yet. Another enterprise's id is 403 whether or not it exists.
 */
export function registryEnterprise(request: FastifyRequest, enterpriseId: string): string {
  const principal = principalOf(request);
  if (!scopeFor(principal).mayManageRegistry(enterpriseId)) {
    throw new ApiError('MTL_API_FORBIDDEN', `the ${principal.role} key ${principal.keyId} may not change this enterprise's registry entry`);
  }
  return enterpriseId;
}

/** The enterprise whose devices' broker credentials a request manages, if its key may: as readableEnterprise, and a regulator gets 403. */
export function deviceEnterprise(request: FastifyRequest, enterpriseId: string): Enterprise {
  const enterprise = readableEnterprise(request, enterpriseId);
  const principal = principalOf(request);
  if (!scopeFor(principal).mayManageDevices(enterprise)) {
    throw new ApiError('MTL_API_FORBIDDEN', `the ${principal.role} key ${principal.keyId} may not manage this enterprise's device credentials`);
  }
  return enterprise;
}

/** The enterprise whose manual entries a request records, if its key may: as readableEnterprise, and a regulator gets 403. */
export function manualEntryEnterprise(request: FastifyRequest, enterpriseId: string): Enterprise {
  const enterprise = readableEnterprise(request, enterpriseId);
  const principal = principalOf(request);
  if (!scopeFor(principal).mayEnterManually(enterprise)) {
    throw new ApiError('MTL_API_FORBIDDEN', `the ${principal.role} key ${principal.keyId} may not record this enterprise's manual entries`);
  }
  return enterprise;
}

/**
 * The region whose dual-control targets a request sets, if its key may: an admin any, a
 * regulator one of its jurisdiction. Any other is 403, whether or not the registry has
 * enterprises there: a region code tells nothing, but the answer must not either.
 */
export function targetSettingRegion(request: FastifyRequest, region: string): string {
  const principal = principalOf(request);
  if (!scopeFor(principal).maySetTargets(region)) throw new ApiError('MTL_API_FORBIDDEN', `the ${principal.role} key ${principal.keyId} may not set the targets of this region`);
  return region;
}

/** The enterprise whose dual-control targets a request sets, if its key may: as readableEnterprise, and only an admin or the regulator of its region. */
export function targetSettingEnterprise(request: FastifyRequest, enterpriseId: string): Enterprise {
  const enterprise = readableEnterprise(request, enterpriseId);
  const principal = principalOf(request);
  if (!scopeFor(principal).maySetTargets(enterprise.region)) {
    throw new ApiError('MTL_API_FORBIDDEN', `the ${principal.role} key ${principal.keyId} may not set this enterprise's targets`);
  }
  return enterprise;
}

/** The region whose targets a request reads, if its key may: an admin any, a regulator its own, an enterprise the one it is in (it is held to them). */
export function targetReadingRegion(request: FastifyRequest, region: string): string {
  const principal = principalOf(request);
  const { index } = registryOf(request);
  if (!scopeFor(principal).mayReadRegionTargets(region, (id) => index.enterprise(id)?.region)) {
    throw new ApiError('MTL_API_FORBIDDEN', `the ${principal.role} key ${principal.keyId} may not read the targets of this region`);
  }
  return region;
}
