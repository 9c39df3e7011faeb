/**
 * Student's t distribution without a dependency: the CDF through the regularized incomplete
 * beta function I_x(a, b) (Abramowitz & Stegun 26.7.1: for t ≥ 0,
 * P(T ≤ t) = 1 − ½·I_{ν/(ν+t²)}(ν/2, ½)), evaluated by its continued fraction (A&S 26.5.8)
 * with the modified Lentz method. ν = Infinity is the standard normal distribution.
 */

/** ln Γ(x) for x > 0 by the Lanczos approximation (g = 7, 9 terms; relative error below 1e-15). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < c.length; i++) sum += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of I_x(a, b), convergent for x < (a + 1)/(a + b + 2). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    const even = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + even * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + even / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + odd * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + odd / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), 0 ≤ x ≤ 1, a, b > 0. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast on one side of the mean; use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) on the other.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/**
 * Regularized upper incomplete gamma Q(a, x): the series for P = 1 − Q when x < a + 1, the
 * continued fraction (modified Lentz) otherwise (A&S 6.5.29 and 6.5.31).
 */
function regularizedUpperGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000 && Math.abs(term) > Math.abs(sum) * 1e-16; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return 1 - front * sum;
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return front * h;
}

/** Standard normal CDF: Φ(z) = ½·erfc(−z/√2), erfc(x) = Q(½, x²) for x ≥ 0 (A&S 7.1.2, 6.5.17). */
function normalCdf(z: number): number {
  const upperTail = 0.5 * regularizedUpperGamma(0.5, (z * z) / 2);
  return z >= 0 ? 1 - upperTail : upperTail;
}

/** P(T ≤ t) for Student's t with ν > 0 degrees of freedom (ν = Infinity: the normal distribution). */
export function studentTCdf(t: number, degreesOfFreedom: number): number {
  if (!(degreesOfFreedom > 0)) throw new RangeError(`degrees of freedom must be above zero, got ${degreesOfFreedom}`);
  if (Number.isNaN(t)) return Number.NaN;
  if (degreesOfFreedom === Infinity) return normalCdf(t);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * regularizedIncompleteBeta(degreesOfFreedom / (degreesOfFreedom + t * t), degreesOfFreedom / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The t with P(T ≤ t) = p, 0 < p < 1, by bisection on the CDF (monotone, so it cannot fail to converge). */
export function studentTQuantile(p: number, degreesOfFreedom: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be between 0 and 1 exclusive, got ${p}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, degreesOfFreedom);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, degreesOfFreedom) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, degreesOfFreedom) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Two-sided p-value of a t statistic: P(|T| ≥ |t|). */
export function twoSidedPValue(t: number, degreesOfFreedom: number): number {
  if (!Number.isFinite(t)) return Number.isNaN(t) ? Number.NaN : 0;
  if (degreesOfFreedom === Infinity) return 2 * studentTCdf(-Math.abs(t), degreesOfFreedom);
  return regularizedIncompleteBeta(degreesOfFreedom / (degreesOfFreedom + t * t), degreesOfFreedom / 2, 0.5);
}

/** Critical values already found: a baseline predicts every day at one level and one ν, and the quantile's bisection costs a hundred CDFs. */
const criticalTs = new Map<string, number>();
const CRITICAL_T_CACHE_MAX = 1_000;

/** The two-sided critical value t(1 − α/2, ν) for a confidence level 1 − α. */
export function twoSidedCriticalT(confidenceLevel: number, degreesOfFreedom: number): number {
  const key = `${confidenceLevel}|${degreesOfFreedom}`;
  let t = criticalTs.get(key);
  if (t === undefined) {
    t = studentTQuantile(1 - (1 - confidenceLevel) / 2, degreesOfFreedom);
    if (criticalTs.size >= CRITICAL_T_CACHE_MAX) criticalTs.clear();
    criticalTs.set(key, t);
  }
  return t;
}
