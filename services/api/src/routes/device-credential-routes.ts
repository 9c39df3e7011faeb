import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { DeviceAccounts } from '@meterline/broker-accounts';
import { deviceEnterprise } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { jsonBodyValidator } from '../http/body-validation.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, problemResponses } from '../http/schemas.ts';
import { registryOf } from '../registry/registry-view.ts';

const Params = Type.Object({ id: IdParam('enterprise id', 'cq-autoparts'), deviceId: IdParam('device id (of the enterprise, in the registry)', 'cq-dev-1') });

const Credentials = Type.Object(
  {
    username: Type.String({ description: 'the MQTT username: the device id' }),
    password: Type.String({ description: 'shown this once (the broker keeps only its hash): 32 characters of base64url, 192 random bits' }),
  },
  { additionalProperties: false, description: 'what the device connects with; it may publish only under meterline/v1/<deviceId>/' },
);
export type Credentials = Static<typeof Credentials>;

const WHO = 'Admin, and the enterprise’s own key; not regulators.';
const ROLES = { 'x-meterline-roles': ['admin', 'enterprise'] };
const PROBLEMS = problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503);

function accountsOf(ctx: ApiContext): DeviceAccounts {
  if (!ctx.deviceAccounts) throw new Error('a device credential route was registered without device accounts');
  return ctx.deviceAccounts;
}

/**
 * The device the request names, if it is the enterprise's in the registry in force: device
 * ids are global on the broker, so an enterprise may not touch another's account by naming
 * its device (404, as for a device no one has).
 */
function enterpriseDevice(request: FastifyRequest, params: { id: string; deviceId: string }): string {
  const enterprise = deviceEnterprise(request, params.id);
  const location = registryOf(request).index.device(params.deviceId);
  if (location?.enterpriseId !== enterprise.id) throw new ApiError('MTL_API_NOT_FOUND', `enterprise ${enterprise.id} has no device ${params.deviceId} in the registry`);
  return location.device.id;
}

/** Devices' broker credentials: served only when the API has the broker's admin account (app.ts). */
export const deviceCredentialRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  const accounts = accountsOf(ctx);

  app.post(
    '/v1/enterprises/:id/devices/:deviceId/credentials',
    {
      config: { writes: 'devices' },
      validatorCompiler: jsonBodyValidator,
      schema: {
        summary: 'Make the device’s broker account; the answer shows its password, this once',
        description: `409 if the broker has an account of that name already (rotate its password instead). ${WHO}`,
        tags: ['devices'],
        ...ROLES,
        security: BEARER,
        params: Params,
        response: { 201: Credentials, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const deviceId = enterpriseDevice(request, request.params);
      const credentials = await accounts.create(deviceId);
      request.log.info({ device: deviceId }, 'device broker account created');
      return reply.status(201).header('cache-control', 'no-store').send(credentials);
    },
  );

  app.post(
    '/v1/enterprises/:id/devices/:deviceId/credentials/rotate',
    {
      config: { writes: 'devices' },
      validatorCompiler: jsonBodyValidator,
      schema: {
        summary: 'Give the device a new broker password, shown this once; the old one is refused from now on',
        description: `The broker drops the device's open connections (without their last will). ${WHO}`,
        tags: ['devices'],
        ...ROLES,
        security: BEARER,
        params: Params,
        response: { 200: Credentials, ...PROBLEMS },
      },
    },
    async (request, reply) => {
      const deviceId = enterpriseDevice(request, request.params);
      const credentials = await accounts.rotate(deviceId);
      request.log.info({ device: deviceId }, 'device broker password rotated');
      return reply.header('cache-control', 'no-store').send(credentials);
    },
  );

  app.delete(
    '/v1/enterprises/:id/devices/:deviceId/credentials',
    {
      config: { writes: 'devices' },
      validatorCompiler: jsonBodyValidator,
      schema: {
        summary: 'Delete the device’s broker account: the device is refused from now on',
        description: `The broker drops its open connections (without their last will). ${WHO}`,
        tags: ['devices'],
        ...ROLES,
        security: BEARER,
        params: Params,
        response: { 204: Type.Null({ description: 'revoked' }), ...PROBLEMS },
      },
    },
    async (request, reply) => {
      const deviceId = enterpriseDevice(request, request.params);
      await accounts.revoke(deviceId);
      request.log.info({ device: deviceId }, 'device broker account revoked');
      return reply.status(204).send(null);
    },
  );
};
