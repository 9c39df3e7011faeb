/** Where a JSON text repeats a member name in one object, and the name. */
export interface DuplicateKey {
  /** JSON pointer (RFC 6901) of the repeated member. */
  path: string;
  key: string;
}

export type StrictJsonResult = { ok: true; value: unknown } | { ok: false; fault: 'syntax'; message: string } | { ok: false; fault: 'duplicate-key'; duplicate: DuplicateKey };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const isJsonWhitespace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

interface Frame {
  /** Member names seen so far; undefined for an array. */
  keys: Set<string> | undefined;
  /** The current member name, or the current element index. */
  at: string | number;
}

const pointerToken = (token: string | number) => String(token).replaceAll('~', '~0').replaceAll('/', '~1');

/** Index of the quote that ends the string opening at `start`, in a text that JSON.parse accepted. */
function stringEnd(text: string, start: number): number {
  let end = start + 1;
  for (;;) {
    end = text.indexOf('"', end);
    let backslashes = 0;
    for (let k = end - 1; text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return end;
    end++;
  }
}

/**
 * The first repeated member name of a text that JSON.parse accepted, or undefined.
 * RFC 8259 §4 says names SHOULD be unique and leaves duplicates to the parser, and
 * JSON.parse keeps the last one: a device could send one `deviceId` to a checker that reads
 * the first and another to one that reads the last. Names are compared decoded, so
 * `"device\u0049d"` repeats `"deviceId"`.
 */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const raw = text.slice(i, end + 1);
        const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        top.at = key;
        if (top.keys.has(key)) return { key, path: stack.map((f) => `/${pointerToken(f.at)}`).join('') };
        top.keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT) {
      stack.push({ keys: new Set(), at: '' });
      expectKey = true;
    } else if (c === OPEN_ARRAY) {
      stack.push({ keys: undefined, at: 0 });
      expectKey = false;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
      expectKey = false;
    } else if (c === COMMA) {
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
    }
  }
  return undefined;
}

/** Member names written in a text that JSON.parse accepted: the strings followed by a colon. */
function memberNamesWritten(text: string): number {
  let names = 0;
  for (let start = text.indexOf('"'); start !== -1; ) {
    let next = stringEnd(text, start) + 1;
    while (isJsonWhitespace(text.charCodeAt(next))) next++;
    if (text.charCodeAt(next) === COLON) names++;
    start = text.indexOf('"', next);
  }
  return names;
}

/**
 * Members kept in a parsed value, through every object and array in it. Iterative: JSON.parse
 * takes arrays nested 200 000 deep, which a recursive walk would not survive.
 */
function membersKept(value: unknown): number {
  let members = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null) continue;
    if (Array.isArray(next)) {
      for (const element of next) pending.push(element);
      continue;
    }
    for (const key in next) {
      members++;
      pending.push((next as Record<string, unknown>)[key]);
    }
  }
  return members;
}

/**
 * JSON.parse that also refuses a repeated member name in any object. JSON.parse keeps one member
 * per name, so a text repeats a name exactly when it writes more names than the parsed value
 * keeps: counting both costs a fraction of tracking every object's names, which is left for the
 * rare text that does repeat one, to say where.
 */
export function parseStrictJson(text: string): StrictJsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, fault: 'syntax', message: (error as Error).message };
  }
  if (memberNamesWritten(text) === membersKept(value)) return { ok: true, value };
  const duplicate = findDuplicateKey(text);
  return duplicate ? { ok: false, fault: 'duplicate-key', duplicate } : { ok: true, value };
}
