import { Type, type Static } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BrokerAccountsError, type BrokerAccountsErrorCode } from '@meterline/broker-accounts';
import { StoreError } from '@meterline/store';
import { API_ERRORS, ApiError, problemType, type ApiErrorCode, type FieldIssue } from './errors.ts';

/** RFC 9457 problem details, with the catalogue's stable `code` and, for a bad request, each failing field. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI naming the kind of problem: urn:meterline:problem:<slug>' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String({ description: 'the path of the request that failed' }),
    code: Type.String({ description: 'stable error code, MTL_API_…' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          in: Type.String({ description: 'query, params, body or headers' }),
          pointer: Type.String({ description: 'JSON pointer of the failing field within that part, e.g. /limit' }),
          detail: Type.String(),
        }),
      ),
    ),
  },
  { $id: 'Problem', title: 'Problem' },
);
export type Problem = Static<typeof ProblemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Fastify's own failures, by their stable codes (never by message). */
const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'MTL_API_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MTL_API_VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'MTL_API_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MTL_API_VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MTL_API_VALIDATION_FAILED',
  // A method that carries a body (QUERY, POST, …) sent without Content-Type: refused before routing.
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: 'MTL_API_VALIDATION_FAILED',
};

const LOCATIONS: Record<string, string> = { querystring: 'query', params: 'params', body: 'body', headers: 'headers' };

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Each failing field, by its JSON pointer: a missing property is named itself, not its parent. */
function fieldIssues(validation: AjvIssue[], context: string | undefined): FieldIssue[] {
  const where = LOCATIONS[context ?? ''] ?? context ?? 'request';
  return validation.map((v) => {
    const missing = v.keyword === 'required' ? String(v.params['missingProperty']) : undefined;
    const extra = v.keyword === 'additionalProperties' ? String(v.params['additionalProperty']) : undefined;
    const child = missing ?? extra;
    const pointer = child === undefined ? v.instancePath || '/' : `${v.instancePath}/${child}`;
    const detail = extra !== undefined ? 'is not a known parameter' : (v.message ?? v.keyword);
    return { in: where, pointer, detail };
  });
}

/** The broker's refusals by their codes; the broker's own messages stay in the log (they may describe its admin account). */
const BROKER_CODES: Record<BrokerAccountsErrorCode, { code: ApiErrorCode; detail: string }> = {
  MTL_BROKER_DEVICE_ID_INVALID: { code: 'MTL_API_VALIDATION_FAILED', detail: 'the device id cannot be an MQTT username' },
  MTL_BROKER_DEVICE_EXISTS: { code: 'MTL_API_DEVICE_CREDENTIALS_EXIST', detail: 'the broker already has an account of that name: rotate its password instead, or revoke it first' },
  MTL_BROKER_DEVICE_UNKNOWN: { code: 'MTL_API_NOT_FOUND', detail: 'the device has no broker credentials: create them first' },
  MTL_BROKER_UNAVAILABLE: { code: 'MTL_API_BROKER_UNAVAILABLE', detail: 'the MQTT broker could not be reached; the change may or may not have been made, try again' },
  MTL_BROKER_TIMEOUT: { code: 'MTL_API_BROKER_UNAVAILABLE', detail: 'the MQTT broker did not answer in time; the change may or may not have been made, try again' },
  MTL_BROKER_NOT_AUTHORIZED: { code: 'MTL_API_BROKER_FAILED', detail: "the MQTT broker refused the API's admin account; the failure is logged" },
  MTL_BROKER_COMMAND_FAILED: { code: 'MTL_API_BROKER_FAILED', detail: 'the MQTT broker refused the change; the failure is logged' },
  MTL_BROKER_CONFIG_INVALID: { code: 'MTL_API_BROKER_FAILED', detail: "the API's broker settings are not valid; the failure is logged" },
};

/** Seconds a client is asked to wait after a refusal that may go away by itself. */
const RETRY_AFTER_SECONDS = '5';

/** Any error to the catalogue: ours as they are, the store's, the broker's and fastify's by code, anything else as internal. */
function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof StoreError) {
    return new ApiError('MTL_API_STORE_UNAVAILABLE', 'the time-series store did not answer; try again later', { cause: error });
  }
  if (error instanceof BrokerAccountsError) {
    const { code, detail } = BROKER_CODES[error.code];
    return new ApiError(code, detail, { cause: error, ...(error.canRetry ? { headers: { 'retry-after': RETRY_AFTER_SECONDS } } : {}) });
  }
  const e = error as Partial<FastifyError> & { validation?: AjvIssue[]; validationContext?: string };
  if (Array.isArray(e.validation)) {
    const issues = fieldIssues(e.validation, e.validationContext);
    return new ApiError('MTL_API_VALIDATION_FAILED', issues.map((i) => `${i.in} ${i.pointer}: ${i.detail}`).join('; '), { cause: error, issues });
  }
  const mapped = e.code !== undefined ? FASTIFY_CODES[e.code] : undefined;
  if (mapped) return new ApiError(mapped, e.message ?? API_ERRORS.entries[mapped].meaning, { cause: error });
  // Any other refusal fastify itself makes of a malformed request is the client's, not ours (issue 6: the fuzzer found one as a 500).
  if (e.code?.startsWith('FST_ERR_') === true && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new ApiError('MTL_API_VALIDATION_FAILED', e.message ?? API_ERRORS.entries.MTL_API_VALIDATION_FAILED.meaning, { cause: error });
  }
  return new ApiError('MTL_API_INTERNAL', 'the API failed to answer; the failure is logged', { cause: error });
}

function problemOf(error: ApiError, instance: string): Problem {
  return {
    type: problemType(error.code),
    title: API_ERRORS.entries[error.code].meaning,
    status: error.status,
    detail: error.detail,
    instance,
    code: error.code,
    ...(error.issues.length > 0 ? { errors: error.issues } : {}),
  };
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
  const instance = request.url.split('?')[0] ?? request.url;
  if (error.status >= 500) request.log.error({ err: error.cause ?? error, code: error.code }, 'request failed');
  else request.log.info({ code: error.code, status: error.status }, 'request refused');
  return reply
    .status(error.status)
    .headers(error.headers)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemOf(error, instance)));
}

/** The one place errors become HTTP: the error handler and the not-found handler of the whole app. */
export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => sendProblem(request, reply, toApiError(error)));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, new ApiError('MTL_API_ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
