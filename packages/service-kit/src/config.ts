import { Value } from '@sinclair/typebox/value';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import { compileValidator } from '@meterline/contracts';
import { errorCatalogue } from '@meterline/errors';

export const SERVICE_KIT_ERRORS = errorCatalogue('@meterline/service-kit', {
  MTL_CONFIG_INVALID: { meaning: "A service's configuration (its MTL_* environment variables or file) is not valid: it does not start, and every bad setting is listed", retryable: false },
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'MTL_CONFIG_INVALID' satisfies (typeof SERVICE_KIT_ERRORS.codes)[number];
  readonly canRetry = SERVICE_KIT_ERRORS.canRetry(this.code);
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** Maps a config key such as `kafkaBrokers` to its environment variable `MTL_KAFKA_BROKERS`. */
export const envName = (key: string): string => `MTL_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;

function fromEnv(schema: TSchema, raw: string): unknown {
  const type = (schema as { type?: string }).type;
  if (type === 'integer' || type === 'number') return raw.trim() === '' ? raw : Number(raw);
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (type === 'array') return raw.split(',').map((s) => s.trim()).filter(Boolean);
  return raw;
}

/**
 * Reads a service's configuration from the environment once, validates it against the
 * schema and freezes it. Every bad or missing key is listed at once. Keys without a default
 * in the schema (secrets, addresses) must be set: there are no silent defaults for them.
 */
export function loadConfig<S extends TObject>(schema: S, env: NodeJS.ProcessEnv = process.env): Readonly<Static<S>> {
  const raw: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema.properties)) {
    const value = env[envName(key)];
    if (value !== undefined) raw[key] = fromEnv(property, value);
  }
  const withDefaults = Value.Default(schema, raw) as Record<string, unknown>;
  const result = compileValidator(schema, { allErrors: true }).validate(withDefaults);
  if (!result.ok) {
    throw new ConfigError(
      result.issues.map((i) => {
        const key = i.path.split('/')[1] ?? '';
        return key ? `${envName(key)}: ${i.message}` : i.message;
      }),
    );
  }
  return Object.freeze(result.value);
}

/** For a service's main: a bad configuration is reported as one clear message and exit code 2, not a stack trace. */
export function loadConfigOrExit<S extends TObject>(service: string, schema: S): Readonly<Static<S>> {
  try {
    return loadConfig(schema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`meterline ${service}: ${error.message}\n`);
    process.exit(2);
  }
}
