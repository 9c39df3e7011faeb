import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Enterprise, RegistryIndex } from '@meterline/domain';
import { ApiError } from '../errors.ts';
import type { Keyring, Principal } from './api-keys.ts';
import { scopeFor } from './scope.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every /v1 request. */
    principal: Principal | undefined;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD']);
// RFC 6750 b64token: the characters a bearer token may have.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]{1,512}=*)$/;

/**
 * Adds to this plugin context: every request carries `Authorization: Bearer <key>`, and a
 * key whose scope may not write is refused any other method than GET and HEAD, so a write
 * route added later is closed to regulators without a line of its own.
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
    if (!READ_METHODS.has(request.method) && !scopeFor(principal).mayWrite) {
      throw new ApiError('MTL_API_FORBIDDEN', `the ${principal.role} key ${principal.keyId} may only read`);
    }
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
export function readableEnterprise(request: FastifyRequest, registry: RegistryIndex, enterpriseId: string): Enterprise {
  const principal = principalOf(request);
  const enterprise = registry.enterprise(enterpriseId);
  if (principal.role !== 'admin' && (!enterprise || !scopeFor(principal).mayRead(enterprise))) {
    throw new ApiError('MTL_API_FORBIDDEN', `the ${principal.role} key ${principal.keyId} may not read this enterprise`);
  }
  if (!enterprise) throw new ApiError('MTL_API_NOT_FOUND', `no enterprise ${enterpriseId}`);
  return enterprise;
}
