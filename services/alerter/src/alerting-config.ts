import { Type, type Static } from '@sinclair/typebox';
import { AlertingSilenceV1, AlertingSubscriptionV1, AlertSeveritySchema, compileValidator, Id, SUBSCRIPTION_DEFAULTS, type AlertRule, type AlertSeverity } from '@meterline/contracts';
import { parseInstant } from '@meterline/domain';
import { watchedFile, type WatchedFile } from '@meterline/service-kit';
import type { WebhookSubscription } from './delivery/index.ts';
import { parse as parseYaml } from 'yaml';

const Severity = AlertSeveritySchema;
const PeriodOfFigures = Type.Union([Type.Literal('quarter-hour'), Type.Literal('hour'), Type.Literal('day')]);
const Enabled = Type.Optional(Type.Boolean());

/** The directions a day may leave an energy baseline in: above its prediction interval (more consumed than expected), below it. */
export const BASELINE_DIRECTIONS = ['above', 'below'] as const;
export type BaselineDirection = (typeof BASELINE_DIRECTIONS)[number];

/** Rule settings; every member is optional in the file and filled from the built-in defaults. */
const RuleSettings = Type.Object(
  {
    meterOffline: Type.Optional(Type.Object({ enabled: Enabled, severity: Type.Optional(Severity), afterMinutes: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false })),
    lowCoverage: Type.Optional(Type.Object({ enabled: Enabled, severity: Type.Optional(Severity), period: Type.Optional(PeriodOfFigures), minPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })) }, { additionalProperties: false })),
    suspectCounter: Type.Optional(Type.Object({ enabled: Enabled, severity: Type.Optional(Severity), period: Type.Optional(PeriodOfFigures) }, { additionalProperties: false })),
    balanceGap: Type.Optional(
      Type.Object(
        {
          enabled: Enabled,
          severity: Type.Optional(Severity),
          period: Type.Optional(PeriodOfFigures),
          /** Fires when |gap| exceeds this many times the gap's expanded uncertainty (k = 2). */
          uncertaintyMultiple: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
    calibration: Type.Optional(
      Type.Object(
        { enabled: Enabled, leadDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })), expiringSeverity: Type.Optional(Severity), expiredSeverity: Type.Optional(Severity) },
        { additionalProperties: false },
      ),
    ),
    budget: Type.Optional(
      Type.Object(
        { enabled: Enabled, severity: Type.Optional(Severity), co2Scope2: Type.Optional(Type.Union([Type.Literal('location'), Type.Literal('market')])) },
        { additionalProperties: false },
      ),
    ),
    consumptionThreshold: Type.Optional(Type.Object({ enabled: Enabled, severity: Type.Optional(Severity) }, { additionalProperties: false })),
    deviceSequence: Type.Optional(
      Type.Object(
        {
          enabled: Enabled,
          severity: Type.Optional(Severity),
          /** Gaps, replays and resets of this many minutes back keep a device's alert open. */
          windowMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080 })),
          /** A gap counts once its seqs are still missing this long after it was found: messages of one device may arrive out of order. */
          gapGraceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** A rule of the regulator's data-quality scorecard failed for a month (judged on the month's quality_rule figures). */
    qualityRule: Type.Optional(Type.Object({ enabled: Enabled, severity: Type.Optional(Severity) }, { additionalProperties: false })),
    /**
     * A dual-control target at risk or exceeded as of its latest month (judged on the month's
     * target_progress figures): `severity` while at risk, `exceededSeverity` once exceeded.
     */
    targetAtRisk: Type.Optional(
      Type.Object({ enabled: Enabled, severity: Type.Optional(Severity), exceededSeverity: Type.Optional(Severity) }, { additionalProperties: false }),
    ),
    /** A product's year-to-date unit consumption clearly above its limit standard (judged on the month's limit_compliance figures). */
    limitExceeded: Type.Optional(Type.Object({ enabled: Enabled, severity: Type.Optional(Severity) }, { additionalProperties: false })),
    /**
     * A day outside the prediction interval of a declared energy baseline, or a lasting change the
     * baseline's CUSUM found (judged on the day's baseline_deviation figures). `directions`: `above`
     * (rises only, the default) or `above` and `below` (falls too: a fall can mean a meter stopped).
     */
    baselineDeviation: Type.Optional(
      Type.Object(
        {
          enabled: Enabled,
          severity: Type.Optional(Severity),
          directions: Type.Optional(Type.Array(Type.Union(BASELINE_DIRECTIONS.map((d) => Type.Literal(d))), { minItems: 1, uniqueItems: true })),
        },
        { additionalProperties: false },
      ),
    ),
    /** A fabrication detector found signs of fabricated or tampered data in a point's month (judged on the month's fabrication_finding figures). */
    fabricationSuspected: Type.Optional(Type.Object({ enabled: Enabled, severity: Type.Optional(Severity) }, { additionalProperties: false })),
    /** A firing alert is sent again after this long. */
    repeatIntervalMinutes: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const Threshold = Type.Object(
  {
    /** The points it applies to; without it, every point of `carrier`. */
    points: Type.Optional(Type.Array(Id, { minItems: 1 })),
    carrier: Type.Optional(Type.String({ minLength: 1 })),
    period: PeriodOfFigures,
    /** energy: the period's consumption in the point's unit; mean-power: that divided by the period's hours (kWh → kW). */
    measure: Type.Union([Type.Literal('energy'), Type.Literal('mean-power')]),
    max: Type.Number({ exclusiveMinimum: 0 }),
  },
  { additionalProperties: false },
);

const EnterpriseAlerting = Type.Object(
  {
    rules: Type.Optional(RuleSettings),
    thresholds: Type.Optional(Type.Array(Threshold)),
    budgets: Type.Optional(
      Type.Object(
        { tceMonthly: Type.Optional(Type.Number({ exclusiveMinimum: 0 })), co2MonthlyTonnes: Type.Optional(Type.Number({ exclusiveMinimum: 0 })) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The file's subscription: the topic's (the contract) without its timestamp, every setting optional. */
const SubscriptionSchema = Type.Object(
  {
    ...Type.Omit(AlertingSubscriptionV1, ['createdAt', 'format', 'minSeverity', 'rateLimit']).properties,
    format: Type.Optional(AlertingSubscriptionV1.properties.format),
    /** Only alerts of at least this severity (default: info, i.e. all). */
    minSeverity: Type.Optional(AlertingSubscriptionV1.properties.minSeverity),
    rateLimit: Type.Optional(AlertingSubscriptionV1.properties.rateLimit),
  },
  { additionalProperties: false },
);

/** The file's silence: the topic's (the contract) without its timestamp. */
const SilenceSchema = Type.Object(Type.Omit(AlertingSilenceV1, ['createdAt']).properties, { additionalProperties: false });

const AlertingFileSchema = Type.Object(
  {
    version: Type.Literal(1),
    defaults: Type.Optional(RuleSettings),
    enterprises: Type.Optional(Type.Record(Id, EnterpriseAlerting)),
    subscriptions: Type.Optional(Type.Array(SubscriptionSchema)),
    silences: Type.Optional(Type.Array(SilenceSchema)),
  },
  { additionalProperties: false },
);
export type AlertingFile = Static<typeof AlertingFileSchema>;
export type ThresholdSetting = Static<typeof Threshold>;
export type SilenceSetting = Static<typeof SilenceSchema>;
type FigurePeriod = Static<typeof PeriodOfFigures>;

/** A subscriber's settings with defaults filled in: what the dispatcher needs, and which alerts it wants. */
export interface Subscription extends WebhookSubscription {
  rules: readonly AlertRule[] | undefined;
  minSeverity: AlertSeverity;
}

/** The rules of one enterprise, every setting resolved. */
export interface EnterpriseRules {
  meterOffline: { enabled: boolean; severity: AlertSeverity; afterMinutes: number };
  lowCoverage: { enabled: boolean; severity: AlertSeverity; period: FigurePeriod; minPercent: number };
  suspectCounter: { enabled: boolean; severity: AlertSeverity; period: FigurePeriod };
  balanceGap: { enabled: boolean; severity: AlertSeverity; period: FigurePeriod; uncertaintyMultiple: number };
  calibration: { enabled: boolean; leadDays: number; expiringSeverity: AlertSeverity; expiredSeverity: AlertSeverity };
  budget: { enabled: boolean; severity: AlertSeverity; co2Scope2: 'location' | 'market'; tceMonthly?: number; co2MonthlyTonnes?: number };
  consumptionThreshold: { enabled: boolean; severity: AlertSeverity; thresholds: readonly ThresholdSetting[] };
  deviceSequence: { enabled: boolean; severity: AlertSeverity; windowMinutes: number; gapGraceSeconds: number };
  qualityRule: { enabled: boolean; severity: AlertSeverity };
  targetAtRisk: { enabled: boolean; severity: AlertSeverity; exceededSeverity: AlertSeverity };
  limitExceeded: { enabled: boolean; severity: AlertSeverity };
  baselineDeviation: { enabled: boolean; severity: AlertSeverity; directions: readonly BaselineDirection[] };
  fabricationSuspected: { enabled: boolean; severity: AlertSeverity };
  repeatIntervalMinutes: number;
}

/** Built-in defaults: what an energy manager gets without writing a rule. */
export const DEFAULT_RULES: Readonly<EnterpriseRules> = Object.freeze<EnterpriseRules>({
  meterOffline: { enabled: true, severity: 'critical', afterMinutes: 30 },
  lowCoverage: { enabled: true, severity: 'warning', period: 'hour', minPercent: 90 },
  suspectCounter: { enabled: true, severity: 'warning', period: 'hour' },
  balanceGap: { enabled: true, severity: 'warning', period: 'hour', uncertaintyMultiple: 1 },
  calibration: { enabled: true, leadDays: 30, expiringSeverity: 'info', expiredSeverity: 'critical' },
  budget: { enabled: true, severity: 'critical', co2Scope2: 'location' },
  consumptionThreshold: { enabled: true, severity: 'warning', thresholds: [] },
  deviceSequence: { enabled: true, severity: 'warning', windowMinutes: 60, gapGraceSeconds: 300 },
  qualityRule: { enabled: true, severity: 'warning' },
  targetAtRisk: { enabled: true, severity: 'warning', exceededSeverity: 'critical' },
  limitExceeded: { enabled: true, severity: 'critical' },
  baselineDeviation: { enabled: true, severity: 'warning', directions: ['above'] },
  fabricationSuspected: { enabled: true, severity: 'warning' },
  repeatIntervalMinutes: 240,
});

export interface AlertingConfig {
  rulesFor(enterpriseId: string): EnterpriseRules;
  subscriptionsOf(enterpriseId: string): readonly Subscription[];
  subscription(id: string): Subscription | undefined;
  silencesOf(enterpriseId: string): readonly SilenceSetting[];
}

export type AlertingParse = { ok: true; config: AlertingConfig } | { ok: false; errors: string[] };

/** The alerting file as a watched file: a change applies at the next use, a bad change is refused. */
export function alertingFileSource(path: string, onRejected: (problems: string) => void): Promise<WatchedFile<AlertingConfig>> {
  return watchedFile(
    path,
    (text) => {
      const parsed = parseAlertingConfig(text, path);
      return parsed.ok ? { ok: true, value: parsed.config } : { ok: false, problems: `${path}: invalid alerting file\n  ${parsed.errors.join('\n  ')}` };
    },
    onRejected,
  );
}

const validator = compileValidator(AlertingFileSchema, { allErrors: true });

/** Parses and checks an alerting file; each error names the path of the bad member. */
export function parseAlertingConfig(text: string, source: string): AlertingParse {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    return { ok: false, errors: [`${source}: not YAML: ${(error as Error).message}`] };
  }
  const checked = validator.validate(raw);
  if (!checked.ok) return { ok: false, errors: checked.issues.map((i) => `${source}${i.path || '/'}: ${i.message}`) };
  const file = checked.value;
  const errors: string[] = [];
  const ids = new Set<string>();
  (file.subscriptions ?? []).forEach((s, i) => {
    if (ids.has(s.id)) errors.push(`${source}/subscriptions/${i}/id: "${s.id}" is used twice`);
    ids.add(s.id);
  });
  (file.silences ?? []).forEach((s, i) => {
    if (parseInstant(s.endsAt) === undefined) errors.push(`${source}/silences/${i}/endsAt: not an instant`);
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: alertingConfig(file) };
}

function resolveRules(file: AlertingFile, enterpriseId: string): EnterpriseRules {
  const own = file.enterprises?.[enterpriseId];
  const layers = [file.defaults ?? {}, own?.rules ?? {}];
  const pick = <K extends keyof EnterpriseRules>(key: K): EnterpriseRules[K] => {
    const base = DEFAULT_RULES[key];
    if (typeof base !== 'object') return layers.reduce<EnterpriseRules[K]>((v, l) => ((l as Record<string, unknown>)[key] as EnterpriseRules[K]) ?? v, base);
    return layers.reduce<EnterpriseRules[K]>((v, l) => ({ ...(v as object), ...((l as Record<string, unknown>)[key] as object) }) as EnterpriseRules[K], base);
  };
  return {
    meterOffline: pick('meterOffline'),
    lowCoverage: pick('lowCoverage'),
    suspectCounter: pick('suspectCounter'),
    balanceGap: pick('balanceGap'),
    calibration: pick('calibration'),
    budget: { ...pick('budget'), ...own?.budgets },
    consumptionThreshold: { ...pick('consumptionThreshold'), thresholds: own?.thresholds ?? [] },
    deviceSequence: pick('deviceSequence'),
    qualityRule: pick('qualityRule'),
    targetAtRisk: pick('targetAtRisk'),
    limitExceeded: pick('limitExceeded'),
    baselineDeviation: pick('baselineDeviation'),
    fabricationSuspected: pick('fabricationSuspected'),
    repeatIntervalMinutes: pick('repeatIntervalMinutes'),
  };
}

function alertingConfig(file: AlertingFile): AlertingConfig {
  const rules = new Map<string, EnterpriseRules>();
  const subscriptions: Subscription[] = (file.subscriptions ?? []).map((s) => ({
    id: s.id,
    enterpriseId: s.enterpriseId,
    url: s.url,
    secret: s.secret,
    ...(s.previousSecret ? { previousSecret: s.previousSecret } : {}),
    format: s.format ?? SUBSCRIPTION_DEFAULTS.format,
    rules: s.rules,
    minSeverity: s.minSeverity ?? SUBSCRIPTION_DEFAULTS.minSeverity,
    rateLimit: s.rateLimit ?? SUBSCRIPTION_DEFAULTS.rateLimit,
  }));
  return {
    rulesFor(enterpriseId) {
      let resolved = rules.get(enterpriseId);
      if (!resolved) rules.set(enterpriseId, (resolved = resolveRules(file, enterpriseId)));
      return resolved;
    },
    subscriptionsOf: (enterpriseId) => subscriptions.filter((s) => s.enterpriseId === enterpriseId),
    subscription: (id) => subscriptions.find((s) => s.id === id),
    silencesOf: (enterpriseId) => (file.silences ?? []).filter((s) => s.enterpriseId === enterpriseId),
  };
}
