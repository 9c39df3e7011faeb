import { canonicalJson, type EnterpriseJson, type Json } from '@meterline/contracts';

type Keyed = { id: string } & Record<string, Json | undefined>;

const sameJson = (a: Json | undefined, b: Json | undefined) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/** Added (+), removed (-) and changed (~) members of two lists of things with ids. */
function byId(label: string, before: readonly Keyed[], after: readonly Keyed[]): string | undefined {
  const old = new Map(before.map((x) => [x.id, x]));
  const now = new Map(after.map((x) => [x.id, x]));
  const parts = [
    ...[...now.keys()].filter((id) => !old.has(id)).map((id) => `+${id}`),
    ...[...old.keys()].filter((id) => !now.has(id)).map((id) => `-${id}`),
    ...[...now].filter(([id, x]) => old.has(id) && !sameJson(old.get(id), x)).map(([id]) => `~${id}`),
  ];
  return parts.length > 0 ? `${label} ${parts.join(' ')}` : undefined;
}

const listOf = (value: Json | undefined): Keyed[] => (Array.isArray(value) ? (value as Keyed[]) : []);
const pointsOf = (enterprise: EnterpriseJson): Keyed[] => listOf(enterprise['sites']).flatMap((site) => listOf(site['meteringPoints']));
const sitesWithoutPoints = (enterprise: EnterpriseJson): Keyed[] => listOf(enterprise['sites']).map(({ meteringPoints: _points, ...site }) => site as Keyed);

/**
 * What an upload changes in an enterprise's registry entry, for people: its sites, metering
 * points and devices by id, and the names of the other fields that differ.
 */
export function describeEnterpriseChange(before: EnterpriseJson, after: EnterpriseJson): string {
  const lists = [
    byId('sites', sitesWithoutPoints(before), sitesWithoutPoints(after)),
    byId('metering points', pointsOf(before), pointsOf(after)),
    byId('devices', listOf(before['devices']), listOf(after['devices'])),
  ].filter((x) => x !== undefined);
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => k !== 'sites' && k !== 'devices' && !sameJson(before[k], after[k]))
    .sort();
  return [...lists, ...(fields.length > 0 ? [`fields ${fields.join(', ')}`] : [])].join('; ');
}
