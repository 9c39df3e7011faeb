/**
 * Where a factor set applies. A region is an ISO 3166-1 alpha-2 country ("CN": every
 * subdivision of China) or an ISO 3166-2 subdivision ("CN-CQ": Chongqing only). An
 * enterprise's region is always a subdivision (the manifest's `region`).
 */
export const REGION_PATTERN = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;

/** Whether `region` (a subdivision such as CN-CQ) lies within `covered` (a country or that subdivision). */
const regionWithin = (region: string, covered: string): boolean => region === covered || region.startsWith(`${covered}-`);

/** Whether any of `regions` covers `region`. */
export const regionsCover = (regions: readonly string[], region: string): boolean => regions.some((r) => regionWithin(region, r));

/** Whether every region of `inner` lies within `outer` (a set inside China may fall back on China's grid table). */
export const regionsWithin = (inner: readonly string[], outer: readonly string[]): boolean => inner.every((r) => regionsCover(outer, r));
