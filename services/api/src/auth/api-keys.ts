import { createHash, timingSafeEqual } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { parse } from 'yaml';
import { compileValidator } from '@meterline/contracts';
import { ID_PATTERN } from '@meterline/domain';
import type { API_INTERNAL_ERRORS } from '../errors.ts';

const KeyId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the secret, lower-case hex' });

const ApiKeyEntrySchema = Type.Union([
  Type.Object({ id: KeyId, sha256: Sha256Hex, role: Type.Literal('admin') }, { additionalProperties: false }),
  Type.Object(
    {
      id: KeyId,
      sha256: Sha256Hex,
      role: Type.Literal('regulator'),
      /** ISO 3166-2 subdivisions the regulator supervises, e.g. CN-CQ. */
      jurisdiction: Type.Array(Type.String({ pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$' }), { minItems: 1 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { id: KeyId, sha256: Sha256Hex, role: Type.Literal('enterprise'), enterpriseId: Type.String({ pattern: ID_PATTERN }) },
    { additionalProperties: false },
  ),
]);

const ApiKeysFileSchema = Type.Object({ version: Type.Literal(1), keys: Type.Array(ApiKeyEntrySchema) }, { additionalProperties: false });
export type ApiKeysFile = Static<typeof ApiKeysFileSchema>;
type ApiKeyEntry = Static<typeof ApiKeyEntrySchema>;

/** Who made a request: the key's id (never its secret) and what the key may see. */
export type Principal =
  | { keyId: string; role: 'admin' }
  | { keyId: string; role: 'regulator'; jurisdiction: readonly string[] }
  | { keyId: string; role: 'enterprise'; enterpriseId: string };

export class ApiKeysError extends Error {
  override readonly name = 'ApiKeysError';
  readonly code = 'MTL_API_KEYS_INVALID' satisfies (typeof API_INTERNAL_ERRORS.codes)[number];
}

const validateKeysFile = compileValidator(ApiKeysFileSchema, { allErrors: true });

/** Parses a keys file (YAML or JSON); every bad entry is listed by path. */
export function parseApiKeys(text: string, source: string): ApiKeysFile {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new ApiKeysError(`${source}: not YAML or JSON: ${(error as Error).message}`, { cause: error });
  }
  const result = validateKeysFile.validate(data);
  if (!result.ok) throw new ApiKeysError(`${source}: invalid API keys file\n  ${result.issues.map((i) => `${i.path || '/'}: ${i.message}`).join('\n  ')}`);
  const ids = new Set<string>();
  const hashes = new Set<string>();
  for (const key of result.value.keys) {
    if (ids.has(key.id)) throw new ApiKeysError(`${source}: key id ${key.id} appears twice`);
    if (hashes.has(key.sha256)) throw new ApiKeysError(`${source}: key ${key.id} has the same secret as another key`);
    ids.add(key.id);
    hashes.add(key.sha256);
  }
  return result.value;
}

export const sha256Hex = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

export interface Keyring {
  /** The principal whose secret this is, or undefined. */
  authenticate(secret: string): Principal | undefined;
}

/**
 * Checks a presented secret against every key's hash. The comparison is constant-time per
 * key and always walks every key, so the time taken says nothing of which key, or which
 * bytes, came close. Only hashes are held: a leaked keys file gives no usable secret.
 */
export function createKeyring(file: ApiKeysFile): Keyring {
  const entries = file.keys.map((k) => ({ digest: Buffer.from(k.sha256, 'hex'), principal: principalOf(k) }));
  return {
    authenticate(secret) {
      const presented = createHash('sha256').update(secret, 'utf8').digest();
      let found: Principal | undefined;
      for (const entry of entries) {
        if (timingSafeEqual(presented, entry.digest) && found === undefined) found = entry.principal;
      }
      return found;
    },
  };
}

function principalOf(k: ApiKeyEntry): Principal {
  switch (k.role) {
    case 'admin':
      return Object.freeze({ keyId: k.id, role: k.role });
    case 'regulator':
      return Object.freeze({ keyId: k.id, role: k.role, jurisdiction: Object.freeze([...k.jurisdiction]) });
    case 'enterprise':
      return Object.freeze({ keyId: k.id, role: k.role, enterpriseId: k.enterpriseId });
  }
}
