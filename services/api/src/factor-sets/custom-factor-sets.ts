import { canonicalJson, factorSetKey, type FactorSetDefinitionV1, type FactorSetRecordV1 } from '@meterline/contracts';
import { checkFactorSetDefinition, createFactorCatalog, type FactorSet, type FactorSetDefinition } from '@meterline/domain';
import type { TopicFactorCatalog } from '@meterline/feeds';
import { ApiError } from '../errors.ts';

/** What the API reads of the factor-set topic: this process's own catalogue of all of it (shipped sets included). */
type FactorSetTopicReader = Pick<TopicFactorCatalog, 'catalog' | 'custom'>;

interface CreatedFactorSet {
  /** The record on the topic: this request's, or an identical set published just before it by another API. */
  record: FactorSetRecordV1;
  factorSet: FactorSet;
  /** False when this process's catalogue had not read it back in time: it is durable, and will be. */
  visible: boolean;
}

/**
 * A deployment's own factor sets, published to the factor-set topic through the API: checked
 * as every reader of the topic checks them, refused when the name and version are taken
 * (a published set never changes), answered once this process's catalogue resolves them.
 */
export interface CustomFactorSets {
  /** The custom sets as read, by name@version. */
  custom(): ReadonlyMap<string, FactorSetRecordV1>;
  /** Throws ApiError: 400 (every issue, by JSON pointer into the set), 409 (the name and version are taken), 503. One at a time per process. */
  create(set: FactorSetDefinitionV1, createdBy: string): Promise<CreatedFactorSet>;
}

export interface CustomFactorSetsDeps {
  reader: FactorSetTopicReader;
  /** Publishes a record to the factor-set topic (service-kit's publishFactorSet). */
  publish: (record: FactorSetRecordV1) => Promise<void>;
  now: () => number;
  /** How long a creation waits for this process's catalogue to read it back (default 10 s). */
  visibleWithinMs?: number;
  /** How often the catalogue is asked meanwhile (default 10 ms): it tells no one when it added a set. */
  pollMs?: number;
}

const sameSet = (a: FactorSetDefinitionV1, b: FactorSetDefinitionV1) => canonicalJson(a) === canonicalJson(b);

export function customFactorSets(deps: CustomFactorSetsDeps): CustomFactorSets {
  const visibleWithinMs = deps.visibleWithinMs ?? 10_000;
  const pollMs = deps.pollMs ?? 10;
  /** Sets this process published, read back or not: a second creation is refused before the catalogue has read the first. */
  const published = new Map<string, FactorSetRecordV1>();
  let queue: Promise<unknown> = Promise.resolve();

  const readBack = async (set: FactorSetDefinitionV1): Promise<boolean> => {
    const until = performance.now() + visibleWithinMs;
    for (;;) {
      if (deps.reader.catalog.resolve(set.name, set.version).ok) return true;
      if (performance.now() >= until) return false;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };

  const create = async (set: FactorSetDefinitionV1, createdBy: string): Promise<CreatedFactorSet> => {
    const issues = checkFactorSetDefinition(set as FactorSetDefinition).map((i) => ({ in: 'body', pointer: i.path, detail: i.message }));
    if (issues.length > 0) throw new ApiError('MTL_API_VALIDATION_FAILED', issues.map((i) => `body ${i.pointer}: ${i.detail}`).join('; '), { issues });
    const key = factorSetKey(set);
    if (deps.reader.catalog.resolve(set.name, set.version).ok || published.has(key)) {
      const held = deps.reader.custom().get(key) ?? published.get(key);
      const by = held ? `a custom set, published ${held.createdAt} by ${held.createdBy}` : 'a shipped set';
      throw new ApiError('MTL_API_FACTOR_SET_EXISTS', `${key} is ${by}; a published set never changes: give yours another version`, {
        issues: [{ in: 'body', pointer: '/version', detail: `${key} exists` }],
      });
    }
    const record: FactorSetRecordV1 = { v: 1, set, createdAt: new Date(deps.now()).toISOString(), createdBy };
    try {
      await deps.publish(record);
    } catch (error) {
      throw new ApiError('MTL_API_FACTOR_SETS_UNAVAILABLE', 'the factor-set topic did not take the set; nothing was published, try again', { cause: error, headers: { 'retry-after': '5' } });
    }
    published.set(key, record);
    const visible = await readBack(set);
    const held = deps.reader.custom().get(key);
    // Another API published the same key first: readers keep that one, so this one is refused if its values differ.
    if (held && !sameSet(held.set, set)) {
      throw new ApiError('MTL_API_FACTOR_SET_EXISTS', `${key} was published meanwhile (${held.createdAt}, by ${held.createdBy}) with other values; readers keep that one: give yours another version`, {
        issues: [{ in: 'body', pointer: '/version', detail: `${key} exists` }],
      });
    }
    const resolved = visible ? deps.reader.catalog.resolve(set.name, set.version) : createFactorCatalog([set]).resolve(set.name, set.version);
    // Checked above with the same rules the catalogue applies: an unresolvable set here is a bug, not the client's.
    if (!resolved.ok) throw resolved.error;
    return { record: held ?? record, factorSet: resolved.factor, visible };
  };

  return {
    custom: () => deps.reader.custom(),
    create(set, createdBy) {
      const run = queue.then(() => create(set, createdBy));
      queue = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    },
  };
}
