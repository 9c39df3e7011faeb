/**
 * Register reads grouped into as few requests as the protocol allows (Modbus Application Protocol
 * v1.1b3, clauses 6.3 and 6.4: at most 125 registers per read). One request per block also makes
 * the values of a block one instant's: an energy and its power read apart could disagree.
 */

export const MAX_REGISTERS_PER_READ = 125;

export interface RegisterSpan {
  function: 'holding' | 'input';
  address: number;
  count: number;
}

export interface ReadBlock<T extends RegisterSpan> {
  function: T['function'];
  address: number;
  count: number;
  /** The spans the block answers, each with its offset in the block's registers. */
  members: { span: T; offset: number }[];
}

/**
 * Spans grouped per function into blocks of at most `maxRegisters`, in address order; a gap of
 * more than `maxGap` registers starts a new block (a device may refuse addresses it does not
 * have, which a read across the gap would include).
 */
export function readBlocks<T extends RegisterSpan>(spans: readonly T[], maxGap = 0, maxRegisters = MAX_REGISTERS_PER_READ): ReadBlock<T>[] {
  const blocks: ReadBlock<T>[] = [];
  for (const fn of ['holding', 'input'] as const) {
    const sorted = spans.filter((s) => s.function === fn).sort((a, b) => a.address - b.address);
    let current: ReadBlock<T> | undefined;
    for (const span of sorted) {
      const end = span.address + span.count;
      const fits = current !== undefined && span.address <= current.address + current.count + maxGap && Math.max(end, current.address + current.count) - current.address <= maxRegisters;
      if (current !== undefined && fits) {
        current.count = Math.max(end, current.address + current.count) - current.address;
        current.members.push({ span, offset: span.address - current.address });
      } else {
        current = { function: fn, address: span.address, count: span.count, members: [{ span, offset: 0 }] };
        blocks.push(current);
      }
    }
  }
  return blocks;
}
