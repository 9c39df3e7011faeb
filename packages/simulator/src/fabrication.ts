import { loadFactor } from './load-profile.ts';
import { seededRandom } from './random.ts';

/**
 * A seeded fleet of metering points for testing detectors of fabricated or tampered data
 * (issue 20): sites with a main meter and sub-meters, realistic variable loads, reading
 * timestamps with their clocks' jitter, calibration expiries and meter exchanges; and an
 * injector that puts each tampering pattern into chosen points, the rest staying clean twins.
 * Deterministic by seed. Local time is China Standard Time (UTC+8, no DST).
 */

const METERING_FLEET_TIME_ZONE = 'Asia/Shanghai';
const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export const FABRICATION_PATTERNS = ['flat-register', 'children-exceed-parent', 'too-regular', 'copied-day', 'jitter-vanished', 'shift-after-event'] as const;
export type FabricationPattern = (typeof FABRICATION_PATTERNS)[number];

interface SimulatedIncrement {
  start: number;
  end: number;
  value: number;
  expandedUncertainty: number;
}

/** One point's series, shaped as the mining package's detectors read them. */
export interface SimulatedPointSeries {
  pointId: string;
  parentId?: string;
  accuracyClass: number;
  /** The half-width of the device clock's timestamp scatter, ms; 0 for a clock that stamps whole intervals exactly. */
  clockJitterMs: number;
  increments: SimulatedIncrement[];
  readingTimes: number[];
  cadenceMs: number;
  calibrationExpiresAt?: number;
  replacedAt: number[];
}

export interface MeteringFleet {
  month: string;
  timeZone: string;
  historyDays: number;
  points: SimulatedPointSeries[];
}

interface MeteringFleetOptions {
  seed: number;
  /** The month simulated, YYYY-MM; the history days before it are simulated too. */
  month: string;
  sites: number;
  childrenPerSite: number;
  historyDays?: number;
  cadenceMs?: number;
}

/** The span simulated: local midnight `historyDays` before the month to the month's end. */
function span(month: string, historyDays: number): { from: number; monthStart: number; to: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const monthStart = Date.UTC(y, m - 1, 1) - OFFSET_MS;
  return { from: monthStart - historyDays * DAY_MS, monthStart, to: Date.UTC(y, m, 1) - OFFSET_MS };
}

const localHour = (t: number) => ((t + OFFSET_MS) % DAY_MS) / HOUR_MS;
const weekday = (t: number) => new Date(t + OFFSET_MS).getUTCDay();
const between = (random: () => number, lo: number, hi: number) => lo + (hi - lo) * random();
const integerBetween = (random: () => number, lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const roundToRegister = (v: number) => Math.round(v * 1000) / 1000;
/** U (k = 2) of a reading from its accuracy class: the class read as a rectangular MPE (GUM 4.3.7). */
const expandedU = (value: number, accuracyClass: number) => (2 * value * accuracyClass) / 100 / Math.sqrt(3);

interface TrueLoad {
  id: string;
  ratedPerHour: number;
  continuous: boolean;
  noise: number;
  /** Local day indices (from the span's first day) on which the machine was genuinely off. */
  offDays: ReadonlySet<number>;
}

export function generateMeteringFleet(options: MeteringFleetOptions): MeteringFleet {
  const historyDays = options.historyDays ?? 28;
  const cadenceMs = options.cadenceMs ?? 900_000;
  const random = seededRandom(options.seed);
  const { from, monthStart, to } = span(options.month, historyDays);
  const slots = Math.round((to - from) / cadenceMs);
  const days = Math.round((to - from) / DAY_MS);
  const points: SimulatedPointSeries[] = [];
  for (let s = 0; s < options.sites; s++) {
    const activity = Array.from({ length: days }, () => between(random, 0.9, 1.1));
    const loss = between(random, 0.03, 0.07);
    const loads: TrueLoad[] = Array.from({ length: options.childrenPerSite }, (_, c) => {
      const offDays = new Set<number>();
      // Some machines are genuinely off for a few days: a detector must not call that a stuck register.
      if (random() < 0.08) {
        const first = historyDays + integerBetween(random, 2, 24);
        for (let d = first, n = integerBetween(random, 2, 4); d < first + n; d++) offDays.add(d);
      }
      return { id: `s${s}-sub${c}`, ratedPerHour: between(random, 20, 150), continuous: random() < 0.2, noise: between(random, 0.05, 0.12), offDays };
    });
    const childTrue = loads.map((load) =>
      Array.from({ length: slots }, (_, k) => {
        const t = from + k * cadenceMs;
        const day = Math.floor((t - from) / DAY_MS);
        if (load.offDays.has(day)) return 0;
        const factor = load.continuous ? 0.7 : loadFactor(localHour(t), weekday(t));
        return load.ratedPerHour * factor * activity[day]! * (1 + load.noise * (2 * random() - 1)) * (cadenceMs / HOUR_MS);
      }),
    );
    const parentTrue = Array.from({ length: slots }, (_, k) => childTrue.reduce((sum, c) => sum + c[k]!, 0) * (1 + loss));
    const parentId = `s${s}-main`;
    points.push(meteredPoint(random, parentId, undefined, 0.5, parentTrue, from, monthStart, cadenceMs));
    loads.forEach((load, c) => points.push(meteredPoint(random, load.id, parentId, 1, childTrue[c]!, from, monthStart, cadenceMs)));
  }
  return { month: options.month, timeZone: METERING_FLEET_TIME_ZONE, historyDays, points };
}

/** A meter on a true load: its systematic error within its class, its clock, its calibration and, for some, an honest exchange. */
function meteredPoint(
  random: () => number,
  pointId: string,
  parentId: string | undefined,
  accuracyClass: number,
  trueValues: readonly number[],
  from: number,
  monthStart: number,
  cadenceMs: number,
): SimulatedPointSeries {
  const error = () => (accuracyClass / 100) * (2 * random() - 1);
  let meterError = error();
  // A quarter of the meters' certificates run out this month, a tenth are exchanged: honest events the shift detector must let pass.
  const calibrationExpiresAt = random() < 0.25 ? monthStart + integerBetween(random, 1, 27) * DAY_MS : monthStart + integerBetween(random, 60, 300) * DAY_MS;
  const replacedAt = random() < 0.1 ? [monthStart + integerBetween(random, 1, 26) * DAY_MS + integerBetween(random, 8, 16) * HOUR_MS] : [];
  const newMeterError = error();
  const increments = trueValues.map((v, k) => {
    const start = from + k * cadenceMs;
    if (replacedAt.length > 0 && start >= replacedAt[0]!) meterError = newMeterError;
    const value = roundToRegister(v * (1 + meterError));
    return { start, end: start + cadenceMs, value, expandedUncertainty: expandedU(value, accuracyClass) };
  });
  const clockJitterMs = random() < 0.15 ? 0 : Math.round(between(random, 300, 3_000));
  const readingTimes = increments.map((x) => x.end + Math.round(clockJitterMs * (2 * random() - 1)));
  return { pointId, ...(parentId === undefined ? {} : { parentId }), accuracyClass, clockJitterMs, increments, readingTimes, cadenceMs, calibrationExpiresAt, replacedAt };
}

interface Injection {
  pointId: string;
  pattern: FabricationPattern;
}

/**
 * Chooses `perPattern` points for each pattern, each point at most one, among those the
 * pattern can apply to: a flat register needs a parent, an excess over the parent needs
 * children, lost jitter needs a clock that had some.
 */
export function planInjections(fleet: MeteringFleet, perPattern: number, seed: number): Injection[] {
  const random = seededRandom(seed);
  const taken = new Set<string>();
  const parents = new Set(fleet.points.flatMap((p) => (p.parentId === undefined ? [] : [p.parentId])));
  const eligible: Record<FabricationPattern, (p: SimulatedPointSeries) => boolean> = {
    'flat-register': (p) => p.parentId !== undefined,
    'children-exceed-parent': (p) => parents.has(p.pointId),
    'too-regular': () => true,
    'copied-day': () => true,
    'jitter-vanished': (p) => p.clockJitterMs > 0,
    'shift-after-event': () => true,
  };
  const plan: Injection[] = [];
  for (const pattern of FABRICATION_PATTERNS) {
    const candidates = fleet.points.filter((p) => !taken.has(p.pointId) && eligible[pattern](p));
    for (let n = 0; n < perPattern && candidates.length > 0; n++) {
      const [chosen] = candidates.splice(Math.floor(random() * candidates.length), 1);
      taken.add(chosen!.pointId);
      plan.push({ pointId: chosen!.pointId, pattern });
    }
  }
  return plan;
}

/** A copy of the fleet with each injection applied; points not named are the same clean series. */
export function injectFabrication(fleet: MeteringFleet, injections: readonly Injection[], seed: number): MeteringFleet {
  const random = seededRandom(seed);
  const points = new Map(fleet.points.map((p) => [p.pointId, p] as const));
  const { from, monthStart, to } = span(fleet.month, fleet.historyDays);
  const monthDays = Math.round((to - monthStart) / DAY_MS);
  const copy = (p: SimulatedPointSeries): SimulatedPointSeries => ({ ...p, increments: p.increments.map((x) => ({ ...x })), readingTimes: [...p.readingTimes], replacedAt: [...p.replacedAt] });
  const dayOf = (t: number) => Math.floor((t - from) / DAY_MS);
  const monthDay = (n: number) => fleet.historyDays + n; // n-th day of the month, from 0
  for (const { pointId, pattern } of injections) {
    const original = points.get(pointId);
    if (!original) throw new Error(`no point ${pointId} in the fleet`);
    const point = copy(original);
    const onDays = (first: number, count: number, f: (x: SimulatedIncrement, i: number) => void) =>
      point.increments.forEach((x, i) => { const d = dayOf(x.start); if (d >= first && d < first + count) f(x, i); });
    const setValue = (x: SimulatedIncrement, value: number) => { x.value = roundToRegister(value); x.expandedUncertainty = expandedU(x.value, point.accuracyClass); };
    switch (pattern) {
      case 'flat-register': {
        // The register stops; the load behind it keeps running, so the parent does not drop.
        onDays(monthDay(integerBetween(random, 2, 24)), integerBetween(random, 2, 5), (x) => setValue(x, 0));
        break;
      }
      case 'children-exceed-parent': {
        // The main meter reads low for some days: its children now sum 3–8 % above it.
        const children = fleet.points.filter((p) => p.parentId === pointId);
        const first = monthDay(integerBetween(random, 2, 22));
        const count = integerBetween(random, 3, 7);
        const excess = between(random, 0.03, 0.08);
        for (let d = first; d < first + count; d++) {
          const sum = (p: SimulatedPointSeries) => p.increments.filter((x) => dayOf(x.start) === d).reduce((s, x) => s + x.value, 0);
          const factor = children.reduce((s, c) => s + sum(c), 0) / (1 + excess) / sum(point);
          onDays(d, 1, (x) => setValue(x, x.value * factor));
        }
        break;
      }
      case 'too-regular': {
        // Typed-in figures: each day's total kept (so the balance still holds), spread either in
        // identical increments or over a noiseless shape.
        const first = monthDay(integerBetween(random, 2, 20));
        const count = integerBetween(random, 4, 10);
        const identical = random() < 0.5;
        for (let d = first; d < first + count; d++) {
          const day = point.increments.filter((x) => dayOf(x.start) === d);
          const total = day.reduce((s, x) => s + x.value, 0);
          const shape = day.map((x) => loadFactor(localHour(x.start), weekday(x.start)));
          const shapeSum = shape.reduce((s, v) => s + v, 0);
          day.forEach((x, k) => setValue(x, identical ? total / day.length : (total * shape[k]!) / shapeSum));
        }
        break;
      }
      case 'copied-day': {
        // One to three days filled with an earlier day of the same kind (working day or weekend).
        const targets = new Set(Array.from({ length: integerBetween(random, 1, 3) }, () => monthDay(integerBetween(random, 1, monthDays - 1))));
        for (const target of targets) {
          const weekend = (d: number) => [0, 6].includes(weekday(from + d * DAY_MS));
          const sources = Array.from({ length: target }, (_, d) => d).filter((d) => weekend(d) === weekend(target));
          const source = sources[Math.floor(random() * sources.length)]!;
          const sourceValues = point.increments.filter((x) => dayOf(x.start) === source);
          onDays(target, 1, (x, i) => {
            const k = Math.round((point.increments[i]!.start - (from + target * DAY_MS)) / point.cadenceMs);
            x.value = sourceValues[k]!.value;
            x.expandedUncertainty = sourceValues[k]!.expandedUncertainty;
          });
        }
        break;
      }
      case 'jitter-vanished': {
        // From some day on, readings stamped exactly on the interval by a program.
        const first = monthDay(integerBetween(random, 2, 24));
        point.readingTimes = point.readingTimes.map((t, i) => (dayOf(point.increments[i]!.start) >= first ? point.increments[i]!.end : t));
        break;
      }
      case 'shift-after-event': {
        // Right after the certificate runs out or the meter is exchanged, its readings change by 6–15 %.
        // A sub-meter is made to read lower (raising it would also break its parent's balance, another detector's pattern).
        const at = monthStart + integerBetween(random, 2, 19) * DAY_MS + integerBetween(random, 8, 16) * HOUR_MS;
        if (random() < 0.5) point.calibrationExpiresAt = at;
        else point.replacedAt = [at];
        const size = between(random, 0.06, 0.15);
        const factor = point.parentId !== undefined || random() < 0.5 ? 1 - size : 1 + size;
        for (const x of point.increments) if (x.start >= at) setValue(x, x.value * factor);
        break;
      }
    }
    points.set(pointId, point);
  }
  return { ...fleet, points: fleet.points.map((p) => points.get(p.pointId)!) };
}
