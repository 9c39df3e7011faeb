import { Ajv } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * The validator of routes that take a JSON body. The app's validator coerces types, which a
 * query string needs (every value arrives as text) but a JSON body must not get: `false` is no
 * comment, `1` no URL (issue 6: the fuzzer had `"comment": false` stored as "false"). Same
 * options otherwise: every failing field, unknown members refused, defaults filled in.
 */
const ajv = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, coerceTypes: false, strict: false });

export const jsonBodyValidator: FastifySchemaCompiler<object> = ({ schema }) => ajv.compile(schema);
