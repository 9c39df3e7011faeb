import { parseManifest, type Enterprise } from '@meterline/domain';

export interface RegistryEntryProblem {
  /** JSON pointer into the enterprise entry, e.g. "/enterprise/sites/0/meteringPoints/2/unit". */
  path: string;
  message: string;
  /** The domain's code, e.g. MTL_DOMAIN_MANIFEST_UNIT_MISMATCH. */
  code: string;
}

export type EnterpriseCheck = { ok: true; enterprise: Enterprise } | { ok: false; problems: RegistryEntryProblem[] };

const ONLY_ENTERPRISE = /^\/enterprises\/0(?=\/|$)/;

/**
 * Validates one enterprise's registry entry by the domain's rules: `parseManifest` on a
 * manifest of this enterprise alone. Problems are given by their path in the entry
 * (`/enterprise/...`). Rules across enterprises (ids unique in the whole registry) are
 * `idClaimConflicts`'.
 */
export function checkEnterpriseEntry(enterprise: unknown, source: string): EnterpriseCheck {
  // parseManifest reads text; JSON is YAML, so the entry goes through the one validation path there is.
  const parsed = parseManifest(JSON.stringify({ version: 1, enterprises: [enterprise] }), source);
  // A valid manifest of one enterprise has that enterprise (minItems 1).
  if (parsed.ok) return { ok: true, enterprise: parsed.manifest.enterprises[0]! };
  return {
    ok: false,
    problems: parsed.errors.map((e) => ({ path: ONLY_ENTERPRISE.test(e.path) ? e.path.replace(ONLY_ENTERPRISE, '/enterprise') : e.path || '/enterprise', message: e.message, code: e.code })),
  };
}

export const formatEntryProblems = (problems: readonly RegistryEntryProblem[]): string => problems.map((p) => `${p.path}: ${p.message} [${p.code}]`).join('; ');

/** The ids an enterprise holds that the manifest requires unique across enterprises: sites, metering points, devices. */
function claimsOf(enterprise: Enterprise): string[] {
  return [
    ...enterprise.sites.flatMap((s) => [`site ${s.id}`, ...s.meteringPoints.map((p) => `metering point ${p.id}`)]),
    ...enterprise.devices.map((d) => `device ${d.id}`),
  ];
}

/**
 * Claims of ids across enterprises, in the order given: an enterprise holding a site,
 * metering point or device id that an earlier one holds conflicts with it (parseManifest
 * enforces these ids unique within one manifest; entries uploaded one by one need it here).
 * Returns the enterprises that keep their claims and, for each that conflicts, what it clashes on.
 */
export function idClaimConflicts(ordered: readonly Enterprise[]): { kept: Enterprise[]; conflicts: { enterprise: Enterprise; clashes: string[] }[] } {
  const holders = new Map<string, string>();
  const kept: Enterprise[] = [];
  const conflicts: { enterprise: Enterprise; clashes: string[] }[] = [];
  for (const enterprise of ordered) {
    const claims = claimsOf(enterprise);
    const clashes = claims.flatMap((claim) => {
      const holder = holders.get(claim);
      return holder === undefined ? [] : [`${claim} is enterprise ${holder}'s`];
    });
    if (clashes.length > 0) {
      conflicts.push({ enterprise, clashes });
      continue;
    }
    for (const claim of claims) holders.set(claim, enterprise.id);
    kept.push(enterprise);
  }
  return { kept, conflicts };
}
