import { isCumulative, quantityDimensions } from '../quantities.ts';
import { quantitiesForCarrier } from '../carriers.ts';
import { isKnownUnit, rateDimensionIntegratesTo, unitDimension, unitsOfDimension } from '../units.ts';
import { parseInstant } from '../calendar/instant.ts';
import { isValidTimeZone } from '../calendar/time-zone.ts';
import { parseCadence } from '../quality/cadence.ts';
import { ManifestSchema, type Device, type Manifest } from './manifest-schema.ts';
import type { LimitStandards } from '../limits/limit-standards.ts';
import { parseLocatedDocument, schemaIssues, type Locator } from './located-document.ts';

export interface ManifestIssue {
  /** JSON pointer of the bad field, e.g. "/enterprises/0/sites/1/meteringPoints/3/unit". */
  path: string;
  message: string;
  code: string;
  /** Where the manifest came from (a file name), as given to parseManifest. */
  source: string;
  /** 1-based line and column of the field (or its nearest present parent) in the text. */
  line?: number;
  column?: number;
}

/** A valid manifest comes with its locator, so a later check (e.g. against the factor catalogue) names a line too. */
export type ManifestResult = { ok: true; manifest: Manifest; locate: Locator } | { ok: false; errors: ManifestIssue[] };

/** The most problems an input's check lists: past them, one mistake repeated is noise (the readings file uses it too). */
export const MAX_LISTED_ISSUES = 200;

type RawIssue = Omit<ManifestIssue, 'source' | 'line' | 'column'>;

/**
 * Parses and validates a registry manifest written in YAML or JSON (JSON is read by the
 * YAML 1.2 parser, so one code path gives line numbers for both). Returns every issue
 * found, each naming the JSON pointer of the field, never just the first.
 */
export function parseManifest(text: string, source: string, options: { limitStandards?: LimitStandards } = {}): ManifestResult {
  const parsed = parseLocatedDocument(text);
  if (!parsed.ok) return { ok: false, errors: parsed.errors.map((e) => ({ path: '', message: e.message, code: 'MTL_DOMAIN_MANIFEST_SYNTAX', source, line: e.line, column: e.column })) };
  const { data, locate } = parsed;
  const finish = (raw: RawIssue[]): ManifestResult => ({
    ok: false,
    errors: raw.slice(0, MAX_LISTED_ISSUES).map((i) => ({ ...i, source, ...locate(i.path) })),
  });

  const schemaProblems = schemaIssues(ManifestSchema, data, MAX_LISTED_ISSUES).map((i) => ({ ...i, code: 'MTL_DOMAIN_MANIFEST_SCHEMA' }));
  if (schemaProblems.length > 0) return finish(schemaProblems);
  const manifest = data as Manifest;
  const crossIssues = [...checkCrossReferences(manifest), ...(options.limitStandards ? limitProductIssues(manifest, options.limitStandards) : [])];
  if (crossIssues.length > 0) return finish(crossIssues);
  return { ok: true, manifest, locate };
}

/**
 * The manifest's product mappings against a limit data set: each `limitProduct` must be a
 * product of it. Separate from parseManifest's own checks because a deployment may load its own
 * limit file after the manifest (parseManifest takes it as an option to check at once).
 */
export function limitProductIssues(manifest: Manifest, standards: LimitStandards): Array<Pick<ManifestIssue, 'path' | 'code' | 'message'>> {
  const issues: Array<Pick<ManifestIssue, 'path' | 'code' | 'message'>> = [];
  manifest.enterprises.forEach((enterprise, e) => {
    (enterprise.products ?? []).forEach((p, k) => {
      if (!standards.products.has(p.limitProduct)) {
        issues.push({
          path: `/enterprises/${e}/products/${k}/limitProduct`,
          code: 'MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE',
          message: `"${p.limitProduct}" is not a product of limit standards ${standards.id}@${standards.version} (known: ${[...standards.products.keys()].join(', ')})`,
        });
      }
    });
  });
  return issues;
}

const dateOk = (s: string): boolean => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

function checkCrossReferences(manifest: Manifest): RawIssue[] {
  const issues: RawIssue[] = [];
  const add = (path: string, code: string, message: string): void => {
    issues.push({ path, code, message });
  };
  const enterpriseIds = new Map<string, string>();
  const siteIds = new Map<string, string>();
  const pointIds = new Map<string, string>();
  const deviceIds = new Map<string, string>();
  const unique = (ids: Map<string, string>, id: string, path: string, what: string): void => {
    const first = ids.get(id);
    if (first !== undefined) add(path, 'MTL_DOMAIN_MANIFEST_DUPLICATE_ID', `duplicate ${what} id "${id}" (first at ${first})`);
    else ids.set(id, path);
  };

  manifest.enterprises.forEach((enterprise, e) => {
    const ep = `/enterprises/${e}`;
    unique(enterpriseIds, enterprise.id, `${ep}/id`, 'enterprise');
    if (!isValidTimeZone(enterprise.timeZone)) {
      add(`${ep}/timeZone`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `unknown IANA time zone "${enterprise.timeZone}" (e.g. Asia/Shanghai)`);
    }
    // Points of this enterprise, for parent and device references.
    const local = new Map<string, { carrier: string; path: string; parent: string | undefined }>();
    const unitOf = new Map(enterprise.sites.flatMap((site) => site.meteringPoints.map((point) => [point.id, point.unit] as const)));
    enterprise.sites.forEach((site, s) => {
      const sp = `${ep}/sites/${s}`;
      unique(siteIds, site.id, `${sp}/id`, 'site');
      site.meteringPoints.forEach((point, m) => {
        const pp = `${sp}/meteringPoints/${m}`;
        unique(pointIds, point.id, `${pp}/id`, 'metering point');
        local.set(point.id, { carrier: point.carrier, path: pp, parent: point.topology.parent });

        if (!quantitiesForCarrier(point.carrier).includes(point.quantity)) {
          add(`${pp}/quantity`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE',
            `quantity "${point.quantity}" is not metered for carrier "${point.carrier}" (expected one of: ${quantitiesForCarrier(point.carrier).join(', ')})`);
        }
        const dimensions = quantityDimensions(point.quantity);
        const expectedUnits = dimensions.flatMap((d) => unitsOfDimension(d)).join(', ');
        if (!isKnownUnit(point.unit)) {
          add(`${pp}/unit`, 'MTL_DOMAIN_MANIFEST_UNIT_MISMATCH', `unknown unit "${point.unit}" (expected one of: ${expectedUnits})`);
        } else if (!dimensions.includes(unitDimension(point.unit)!)) {
          add(`${pp}/unit`, 'MTL_DOMAIN_MANIFEST_UNIT_MISMATCH',
            `unit "${point.unit}" does not measure ${point.quantity} (expected one of: ${expectedUnits})`);
        }
        if (point.maxPower) {
          const integratesTo = rateDimensionIntegratesTo(point.maxPower.unit);
          const unitDim = unitDimension(point.unit);
          if (!isCumulative(point.quantity)) {
            add(`${pp}/maxPower`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `maxPower applies only to cumulative quantities, not ${point.quantity}`);
          } else if (integratesTo === undefined || integratesTo !== unitDim) {
            add(`${pp}/maxPower/unit`, 'MTL_DOMAIN_MANIFEST_UNIT_MISMATCH',
              `"${point.maxPower.unit}" is not a rate of ${point.unit} (e.g. kW for kWh, m3/h for m3, t/h for t)`);
          }
        }
        if (point.registerMax !== undefined && !isCumulative(point.quantity)) {
          add(`${pp}/registerMax`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `registerMax applies only to registers, not ${point.quantity}`);
        }
        if (point.steamPressureMPa !== undefined && point.carrier !== 'steam') {
          add(`${pp}/steamPressureMPa`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', 'steamPressureMPa applies only to steam');
        }
        if (point.expectedInterval !== undefined && parseCadence(point.expectedInterval) === undefined) {
          add(`${pp}/expectedInterval`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE',
            `"${point.expectedInterval}" is not a reading interval (expected an ISO 8601 duration from PT1M to PT24H in whole minutes, e.g. PT15M or PT1H, or P1D or P1M)`);
        }
        if (point.commissioned !== undefined && !dateOk(point.commissioned)) {
          add(`${pp}/commissioned`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `not a calendar date: "${point.commissioned}"`);
        }
        const cal = point.calibration;
        if (!dateOk(cal.validFrom)) add(`${pp}/calibration/validFrom`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `not a calendar date: "${cal.validFrom}"`);
        if (!dateOk(cal.validUntil)) add(`${pp}/calibration/validUntil`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `not a calendar date: "${cal.validUntil}"`);
        if (dateOk(cal.validFrom) && dateOk(cal.validUntil) && cal.validUntil < cal.validFrom) {
          add(`${pp}/calibration/validUntil`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `validUntil ${cal.validUntil} is before validFrom ${cal.validFrom}`);
        }
        const role = point.topology.role;
        if (role === 'sub-meter' && point.topology.parent === undefined) {
          add(`${pp}/topology/parent`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', 'a sub-meter needs a parent metering point');
        }
        if ((role === 'boundary-input' || role === 'boundary-output') && point.topology.parent !== undefined) {
          add(`${pp}/topology/parent`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `a ${role} sits at the enterprise boundary and has no parent`);
        }
        let previous = Number.NEGATIVE_INFINITY;
        (point.replacements ?? []).forEach((r, k) => {
          const at = parseInstant(r.at) ?? Number.NaN;
          if (!isCumulative(point.quantity)) {
            add(`${pp}/replacements/${k}`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `replacements apply only to registers, not ${point.quantity}`);
          }
          if (Number.isNaN(at)) add(`${pp}/replacements/${k}/at`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `not an instant that exists: "${r.at}"`);
          else if (at <= previous) add(`${pp}/replacements/${k}/at`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', 'replacements must be in time order');
          else previous = at;
        });
      });
    });

    // Parents: exist in the same enterprise, carry the same carrier, and form no cycle.
    for (const [id, p] of local) {
      if (p.parent === undefined) continue;
      const parent = local.get(p.parent);
      const path = `${p.path}/topology/parent`;
      if (!parent) {
        add(path, 'MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE', `parent "${p.parent}" is not a metering point of enterprise "${enterprise.id}"`);
        continue;
      }
      if (parent.carrier !== p.carrier) {
        add(path, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `parent "${p.parent}" carries ${parent.carrier}, this point ${p.carrier}: a balance compares one carrier`);
      }
      const visited = new Set([id]);
      let cursor: string | undefined = p.parent;
      while (cursor !== undefined) {
        if (visited.has(cursor)) {
          add(path, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `topology cycle through "${cursor}"`);
          break;
        }
        visited.add(cursor);
        cursor = local.get(cursor)?.parent;
      }
    }

    enterprise.devices.forEach((device, d) => {
      const dp = `${ep}/devices/${d}`;
      unique(deviceIds, device.id, `${dp}/id`, 'device');
      const listed = new Set<string>();
      device.meteringPoints.forEach((pointId, k) => {
        if (listed.has(pointId)) add(`${dp}/meteringPoints/${k}`, 'MTL_DOMAIN_MANIFEST_DUPLICATE_ID', `metering point "${pointId}" listed twice`);
        listed.add(pointId);
        if (!local.has(pointId)) {
          add(`${dp}/meteringPoints/${k}`, 'MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE', `metering point "${pointId}" is not in enterprise "${enterprise.id}"`);
        }
      });
      if (device.sparkplug) checkSparkplugMetrics(device, `${dp}/sparkplug/metrics`, unitOf, add);
    });
    const siteIdsHere = new Set(enterprise.sites.map((s) => s.id));
    (enterprise.production ?? []).forEach((p, k) => {
      if (p.site !== undefined && !siteIdsHere.has(p.site)) {
        add(`${ep}/production/${k}/site`, 'MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE', `site "${p.site}" is not in enterprise "${enterprise.id}"`);
      }
    });
    const mapped = new Map<string, number>();
    (enterprise.products ?? []).forEach((p, k) => {
      const pp = `${ep}/products/${k}`;
      if (p.site !== undefined && !siteIdsHere.has(p.site)) {
        add(`${pp}/site`, 'MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE', `site "${p.site}" is not in enterprise "${enterprise.id}"`);
      }
      // One standard per product and site: two would give two verdicts on one figure.
      const key = `${p.product}\u0000${p.site ?? ''}`;
      const first = mapped.get(key);
      if (first !== undefined) {
        add(pp, 'MTL_DOMAIN_MANIFEST_DUPLICATE_ID', `product "${p.product}"${p.site === undefined ? '' : ` of site "${p.site}"`} is mapped to a limit standard twice (first at ${ep}/products/${first})`);
      } else mapped.set(key, k);
    });
    const baselineIds = new Map<string, string>();
    (enterprise.energyBaselines ?? []).forEach((b, k) => {
      const bp = `${ep}/energyBaselines/${k}`;
      unique(baselineIds, b.id, `${bp}/id`, 'energy baseline');
      if (b.point !== undefined && !local.has(b.point)) add(`${bp}/point`, 'MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE', `metering point "${b.point}" is not in enterprise "${enterprise.id}"`);
      if (b.site !== undefined && !siteIdsHere.has(b.site)) add(`${bp}/site`, 'MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE', `site "${b.site}" is not in enterprise "${enterprise.id}"`);
      if (b.site !== undefined && b.point !== undefined) add(`${bp}/site`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', 'a baseline is of a site or of a point, not both: a point implies its site');
      const [from, to] = b.period.split('..') as [string, string];
      if (!dateOk(from) || !dateOk(to)) add(`${bp}/period`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `"${b.period}" does not name two calendar days`);
      else if (from > to) add(`${bp}/period`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `the period begins on ${from}, after its end ${to}`);
    });
    for (const list of ['daysOff', 'workingDays'] as const) {
      (enterprise.calendar?.[list] ?? []).forEach((day, k) => {
        if (!dateOk(day)) add(`${ep}/calendar/${list}/${k}`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `not a calendar date: "${day}"`);
      });
    }
    (enterprise.contractualInstruments ?? []).forEach((c, k) => {
      const cp = `${ep}/contractualInstruments/${k}`;
      if (unitDimension(c.energy.unit) !== 'energy') add(`${cp}/energy/unit`, 'MTL_DOMAIN_MANIFEST_UNIT_MISMATCH', `"${c.energy.unit}" is not an energy unit (e.g. MWh)`);
      if (!dateOk(c.validFrom)) add(`${cp}/validFrom`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `not a calendar date: "${c.validFrom}"`);
      if (!dateOk(c.validUntil)) add(`${cp}/validUntil`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `not a calendar date: "${c.validUntil}"`);
    });
  });
  return issues;
}

/**
 * A Sparkplug gateway's metric map: each (Sparkplug device, metric) once, each read into a point
 * the device may report, in a unit of the point's dimension (converted at ingest).
 */
function checkSparkplugMetrics(device: Device, path: string, unitOf: ReadonlyMap<string, string>, add: (path: string, code: string, message: string) => void): void {
  const seen = new Set<string>();
  const allowed = new Set(device.meteringPoints);
  device.sparkplug?.metrics.forEach((m, k) => {
    const mp = `${path}/${k}`;
    const key = JSON.stringify([m.device ?? null, m.metric]);
    if (seen.has(key)) add(`${mp}/metric`, 'MTL_DOMAIN_MANIFEST_DUPLICATE_ID', `metric "${m.metric}"${m.device === undefined ? ' of the node' : ` of Sparkplug device "${m.device}"`} mapped twice`);
    seen.add(key);
    if (!allowed.has(m.point)) {
      add(`${mp}/point`, 'MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE', `metering point "${m.point}" is not one of device "${device.id}"'s metering points`);
      return;
    }
    const pointUnit = unitOf.get(m.point);
    if (pointUnit === undefined) return;
    if (!isKnownUnit(m.unit)) add(`${mp}/unit`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `unknown unit "${m.unit}"`);
    else if (unitDimension(m.unit) !== unitDimension(pointUnit)) add(`${mp}/unit`, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE', `"${m.unit}" cannot be converted to metering point "${m.point}"'s unit ${pointUnit}`);
  });
}
