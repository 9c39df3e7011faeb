/**
 * Modbus register values as numbers (Modbus Application Protocol v1.1b3, clause 4.2: a register
 * is 16 bits, sent high byte first). Values wider than one register span consecutive registers;
 * the standard leaves their word order to the maker, hence `wordOrder`.
 */

export const REGISTER_TYPES = ['uint16', 'int16', 'uint32', 'int32', 'float32', 'uint64', 'int64', 'float64'] as const;
export type RegisterType = (typeof REGISTER_TYPES)[number];

/** `high-first`: the most significant word at the lowest address (ABCD); `low-first`: CDAB. */
export type WordOrder = 'high-first' | 'low-first';

export const registerCount = (type: RegisterType): number => ({ uint16: 1, int16: 1, uint32: 2, int32: 2, float32: 2, uint64: 4, int64: 4, float64: 4 })[type];

export type Decoded = { ok: true; value: number } | { ok: false; reason: 'not-finite' | 'not-exact'; detail: string };

/** The value `words` (16-bit registers in address order) hold, as `type` in `wordOrder`. */
export function decodeRegisters(words: readonly number[], type: RegisterType, wordOrder: WordOrder): Decoded {
  const count = registerCount(type);
  if (words.length !== count) throw new RangeError(`${type} spans ${count} registers, ${words.length} given`);
  const ordered = wordOrder === 'high-first' ? words : [...words].reverse();
  const view = new DataView(new ArrayBuffer(count * 2));
  ordered.forEach((word, i) => view.setUint16(i * 2, word));
  switch (type) {
    case 'uint16':
      return { ok: true, value: view.getUint16(0) };
    case 'int16':
      return { ok: true, value: view.getInt16(0) };
    case 'uint32':
      return { ok: true, value: view.getUint32(0) };
    case 'int32':
      return { ok: true, value: view.getInt32(0) };
    case 'float32':
      return finite(shortestFloat32(view.getFloat32(0)));
    case 'float64':
      return finite(view.getFloat64(0));
    case 'uint64':
      return exact(view.getBigUint64(0));
    case 'int64':
      return exact(view.getBigInt64(0));
  }
}

function finite(value: number): Decoded {
  // NaN and infinities are what meters put in a float register they cannot fill (no CT, a fault).
  return Number.isFinite(value) ? { ok: true, value } : { ok: false, reason: 'not-finite', detail: `the register holds ${value}` };
}

function exact(value: bigint): Decoded {
  const n = Number(value);
  return Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, reason: 'not-exact', detail: `${value} is beyond 2^53: a JSON number cannot carry it exactly` };
}

/**
 * The shortest decimal that is the same float32: what the meter's own display shows. The
 * float32 nearest 48211.62 is 48211.62109375 as a double; sending that would claim digits the
 * meter never had.
 */
function shortestFloat32(value: number): number {
  if (!Number.isFinite(value)) return value;
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

/**
 * `raw` times the register's scale (e.g. 0.01 for a register in units of 10 Wh). Rounded to
 * 15 significant digits, which a double holds exactly: 100075 × 0.01 is 1000.7500000000001 in
 * binary floating point, and the meter meant 1000.75.
 */
export function scaled(raw: number, scale: number): number {
  if (scale === 1) return raw;
  return Number((raw * scale).toPrecision(15));
}
