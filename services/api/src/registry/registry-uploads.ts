import { canonicalJson, nextEntry, NotIJsonError, type EnterpriseJson, type RegistryEntryV1 } from '@meterline/contracts';
import type { Enterprise, FactorCatalog } from '@meterline/domain';
import { checkEnterpriseEntry, RegistryEntryError, type RegistryEntryProblem, type RegistryPublisher, type TopicRegistrySource } from '@meterline/feeds';
import { ApiError, type ApiErrorCode, type FieldIssue } from '../errors.ts';

/** What the uploads read of the registry topic: this process's own reader of all of it. */
export type RegistryTopicReader = Pick<TopicRegistrySource, 'entry' | 'entries' | 'version'>;

/** An id of the upload that another enterprise's entry on the topic holds. */
export interface IdClash {
  /** Where in the uploaded entry, e.g. /devices/0/id. */
  pointer: string;
  what: 'site' | 'metering point' | 'device';
  id: string;
  /** The enterprise holding it: for admins' eyes only (routes decide). */
  holder: string;
}

type UploadOutcome =
  /** The entry in force has the same hash: nothing was published. */
  | { changed: false; entry: RegistryEntryV1 }
  /** Published as the next version; `visible` false when this process's reader had not read it back in time (it is durable, and will be). */
  | { changed: true; entry: RegistryEntryV1; visible: boolean };

/** The upload holds ids of other enterprises' entries: nothing was published. */
export class RegistryConflictError extends Error {
  override readonly name = 'RegistryConflictError';
  readonly code = 'MTL_API_REGISTRY_CONFLICT' satisfies ApiErrorCode;
  constructor(
    readonly enterpriseId: string,
    readonly clashes: IdClash[],
  ) {
    super(`the registry entry of ${enterpriseId} holds ${clashes.length} ${clashes.length === 1 ? 'id' : 'ids'} of other enterprises`);
  }
}

/**
 * Registry uploads through the API: checked by the domain's rules as the CLI and every
 * reader check them, refused when they hold another enterprise's ids, then published to the
 * registry topic as the next version and answered once this process's reader has it.
 */
export interface RegistryUploads {
  /** The entry in force on the topic, as this process has read it. */
  entry(enterpriseId: string): RegistryEntryV1 | undefined;
  /**
   * Uploads `body` as the enterprise's entry (its `id`, if given, must be `enterpriseId`), by
   * `uploadedBy` (an API key id). Throws ApiError (400 with every failing field, 503) or
   * RegistryConflictError. One upload at a time per process.
   */
  upload(enterpriseId: string, body: unknown, uploadedBy: string): Promise<UploadOutcome>;
  /**
   * Uploads the enterprise's entry in force with `change` applied to it, in the same queue as
   * uploads (the entry is read when its turn comes, so no upload in between is lost). Throws
   * as upload() does, and ApiError 404 when the topic has no entry of the enterprise.
   */
  amend(enterpriseId: string, change: (enterprise: EnterpriseJson) => EnterpriseJson, uploadedBy: string): Promise<UploadOutcome>;
}

export interface RegistryUploadsDeps {
  reader: RegistryTopicReader;
  publisher: RegistryPublisher;
  /** The factor sets this version knows: an entry naming another would give no figures and no report. */
  factorCatalog: FactorCatalog;
  now: () => number;
  /** How long an upload waits for this process's reader to read it back (default 10 s). */
  visibleWithinMs?: number;
  /** How often the reader is asked meanwhile (default 10 ms): the reader tells no one when it applied an entry. */
  pollMs?: number;
}

const bodyIssues = (problems: readonly { pointer: string; detail: string }[]): FieldIssue[] => problems.map((p) => ({ in: 'body', ...p }));

const invalid = (issues: FieldIssue[]) =>
  new ApiError('MTL_API_VALIDATION_FAILED', issues.map((i) => `body ${i.pointer}: ${i.detail}`).join('; '), { issues });

/** checkEnterpriseEntry's paths (/enterprise/…) as pointers into the request body. */
const asBodyIssues = (problems: readonly RegistryEntryProblem[]): FieldIssue[] =>
  bodyIssues(problems.map((p) => ({ pointer: p.path.replace(/^\/enterprise(?=\/|$)/, '') || '/', detail: `${p.message} [${p.code}]` })));

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The ids an entry holds that must be unique across the registry, with where: the same ids service-kit's idClaimConflicts counts. */
function claims(enterprise: Enterprise): Omit<IdClash, 'holder'>[] {
  return [
    ...enterprise.sites.flatMap((site, s) => [
      { pointer: `/sites/${s}/id`, what: 'site' as const, id: site.id },
      ...site.meteringPoints.map((point, m) => ({ pointer: `/sites/${s}/meteringPoints/${m}/id`, what: 'metering point' as const, id: point.id })),
    ]),
    ...enterprise.devices.map((device, d) => ({ pointer: `/devices/${d}/id`, what: 'device' as const, id: device.id })),
  ];
}

/**
 * The upload's ids that any other enterprise's entry on the topic holds. Stricter than the
 * readers' rule (the earlier upload keeps an id, a later one is left out whole): an id held by
 * an entry that readers themselves left out is refused too, so an accepted upload is never
 * left out by readers, whatever order they read the topic in.
 */
function clashesWith(upload: Enterprise, inForce: ReadonlyMap<string, RegistryEntryV1>): IdClash[] {
  const holders = new Map<string, string>();
  for (const entry of inForce.values()) {
    if (entry.enterpriseId === upload.id) continue;
    // Entries on the topic passed the readers' check (the source keeps no other): they have the manifest's shape.
    for (const claim of claims(entry.enterprise as unknown as Enterprise)) holders.set(`${claim.what} ${claim.id}`, entry.enterpriseId);
  }
  return claims(upload).flatMap((claim) => {
    const holder = holders.get(`${claim.what} ${claim.id}`);
    return holder === undefined ? [] : [{ ...claim, holder }];
  });
}

export function registryUploads(deps: RegistryUploadsDeps): RegistryUploads {
  const visibleWithinMs = deps.visibleWithinMs ?? 10_000;
  const pollMs = deps.pollMs ?? 10;
  /**
   * Versions this process published that its reader had not read back when answered: the
   * next upload of the enterprise waits for it, or it would be made from the entry before and
   * repeat its version number.
   */
  const unconfirmed = new Map<string, number>();
  let queue: Promise<unknown> = Promise.resolve();

  /** True once the reader has the enterprise at `version` or later, false after visibleWithinMs (of the process's clock, not `now`). */
  const readBack = async (enterpriseId: string, version: number): Promise<boolean> => {
    const until = performance.now() + visibleWithinMs;
    for (;;) {
      if ((deps.reader.version(enterpriseId) ?? 0) >= version) return true;
      if (performance.now() >= until) return false;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };

  const checked = (enterpriseId: string, body: unknown): Enterprise => {
    if (!isObject(body)) throw invalid(bodyIssues([{ pointer: '/', detail: 'must be an object: one enterprise entry of the registry manifest' }]));
    if (body['id'] !== undefined && body['id'] !== enterpriseId) {
      throw invalid(bodyIssues([{ pointer: '/id', detail: `must be ${JSON.stringify(enterpriseId)}, the enterprise the path names (or left out)` }]));
    }
    const check = checkEnterpriseEntry({ id: enterpriseId, ...body }, `upload of ${enterpriseId}`);
    if (!check.ok) throw invalid(asBodyIssues(check.problems));
    try {
      // The entry is named by the hash of its RFC 8785 form, which text that is not valid Unicode does not have.
      canonicalJson(check.enterprise);
    } catch (error) {
      if (error instanceof NotIJsonError) throw invalid(bodyIssues([{ pointer: '/', detail: `has no RFC 8785 canonical form: ${error.message}` }]));
      throw error;
    }
    const { factorSet } = check.enterprise;
    const resolved = deps.factorCatalog.resolveFor(check.enterprise);
    if (!resolved.ok && resolved.error.code === 'MTL_DOMAIN_FACTOR_SET_OUTSIDE_REGION') {
      throw invalid(bodyIssues([{ pointer: '/factorSet', detail: `${resolved.error.message}: the enterprise would get no figures` }]));
    }
    if (!resolved.ok) {
      const known = deps.factorCatalog.list().map((s) => `${s.name} ${s.version}`).join(', ');
      throw invalid(bodyIssues([{ pointer: '/factorSet', detail: `factor set ${factorSet.name} ${factorSet.version} is not one this version knows (${known}): the enterprise would get no figures` }]));
    }
    return check.enterprise;
  };

  /** Waits for this process's last unconfirmed version of the enterprise, if any, to be read back. */
  const confirmed = async (enterpriseId: string): Promise<void> => {
    const pending = unconfirmed.get(enterpriseId);
    if (pending === undefined) return;
    // Asked once: after this the next upload goes by what the reader shows (the enterprise may have been removed meanwhile).
    unconfirmed.delete(enterpriseId);
    if (!(await readBack(enterpriseId, pending))) {
      throw new ApiError('MTL_API_REGISTRY_UNAVAILABLE', `version ${pending} of ${enterpriseId} is not yet read back from the registry topic; try again shortly`, {
        headers: { 'retry-after': '5' },
      });
    }
  };

  const publishChecked = async (enterprise: Enterprise, uploadedBy: string): Promise<UploadOutcome> => {
    const enterpriseId = enterprise.id;
    const clashes = clashesWith(enterprise, deps.reader.entries());
    if (clashes.length > 0) throw new RegistryConflictError(enterpriseId, clashes);
    const next = nextEntry(deps.reader.entry(enterpriseId), enterprise, uploadedBy, new Date(deps.now()));
    if (!next.changed) return { changed: false, entry: next.entry };
    try {
      await deps.publisher.publish(next.entry);
    } catch (error) {
      // The publisher checks as the readers do; checked() already did, so this is a disagreement between the two, said as the client's 400 all the same.
      if (error instanceof RegistryEntryError) throw invalid(asBodyIssues(error.problems));
      throw new ApiError('MTL_API_REGISTRY_UNAVAILABLE', 'the registry topic did not take the upload; nothing was changed, try again', { cause: error, headers: { 'retry-after': '5' } });
    }
    const visible = await readBack(enterpriseId, next.entry.version);
    if (!visible) unconfirmed.set(enterpriseId, next.entry.version);
    return { changed: true, entry: next.entry, visible };
  };

  const upload = async (enterpriseId: string, body: unknown, uploadedBy: string): Promise<UploadOutcome> => {
    const enterprise = checked(enterpriseId, body);
    await confirmed(enterpriseId);
    return publishChecked(enterprise, uploadedBy);
  };

  const amend = async (enterpriseId: string, change: (enterprise: EnterpriseJson) => EnterpriseJson, uploadedBy: string): Promise<UploadOutcome> => {
    await confirmed(enterpriseId);
    const inForce = deps.reader.entry(enterpriseId);
    if (!inForce) throw new ApiError('MTL_API_NOT_FOUND', `enterprise ${enterpriseId} has no entry on the registry topic`);
    return publishChecked(checked(enterpriseId, change(inForce.enterprise)), uploadedBy);
  };

  /** One at a time: each upload sees every earlier one of this process, across enterprises too (two uploads claiming one new device id: the second gets the 409). */
  const queued = (run: () => Promise<UploadOutcome>): Promise<UploadOutcome> => {
    const result = queue.then(run);
    queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  };

  return {
    entry: (enterpriseId) => deps.reader.entry(enterpriseId),
    upload: (enterpriseId, body, uploadedBy) => queued(() => upload(enterpriseId, body, uploadedBy)),
    amend: (enterpriseId, change, uploadedBy) => queued(() => amend(enterpriseId, change, uploadedBy)),
  };
}
