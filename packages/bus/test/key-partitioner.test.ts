import { describe, expect, it } from 'vitest';
import { refreshingKeyPartitioner } from '../src/index.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A clock the test moves: the count's age is decided here, not by how fast the machine runs. */
function steppedClock() {
  let time = 0;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

describe('refreshingKeyPartitioner (issue 17)', () => {
  it('hashes a key once per partition count, asks for the count again when it is old, and follows a new count', async () => {
    const counts = [3, 4];
    let hashed = 0;
    const clock = steppedClock();
    const partitioner = await refreshingKeyPartitioner('t', {
      countPartitions: () => Promise.resolve(counts.shift() ?? 4),
      partitionFor: (key, partitions) => (hashed++, key.length % partitions),
      onCountFailure: () => expect.fail('no failure expected'),
      maxAgeMs: 1_000,
      now: clock.now,
    });
    // 'abcde' has 5 characters: partition 2 of 3, then 1 of 4 once the new count is in.
    expect(partitioner.partitionOf('abcde')).toBe(2);
    await settle();
    expect(partitioner.partitionOf('abcde')).toBe(2);
    clock.advance(1_001);
    // The count is old now: asked for again in the background, the remembered partition meanwhile.
    expect(partitioner.partitionOf('abcde')).toBe(2);
    expect(hashed).toBe(1);
    await settle();
    expect(partitioner.partitionOf('abcde')).toBe(1);
    expect(partitioner.partitionOf('abcde')).toBe(1);
    expect(hashed).toBe(2);
  });

  it('keeps the count in hand when the cluster cannot be asked, and says so', async () => {
    const failures: [string, number][] = [];
    let asked = 0;
    const clock = steppedClock();
    const partitioner = await refreshingKeyPartitioner('t', {
      countPartitions: () => (asked++ === 0 ? Promise.resolve(6) : Promise.reject(new Error('broker away'))),
      partitionFor: (key, partitions) => key.length % partitions,
      onCountFailure: (error, kept) => failures.push([(error as Error).message, kept]),
      maxAgeMs: 1_000,
      now: clock.now,
    });
    expect(partitioner.partitionOf('abcdefg')).toBe(1);
    clock.advance(1_001);
    expect(partitioner.partitionOf('abcdefg')).toBe(1);
    await settle();
    expect(failures[0]).toEqual(['broker away', 6]);
    expect(partitioner.partitionOf('abcdefg')).toBe(1);
  });

  it('refuses a topic without partitions', async () => {
    await expect(refreshingKeyPartitioner('missing', { countPartitions: () => Promise.resolve(0), partitionFor: () => 0, onCountFailure: () => undefined })).rejects.toThrow('topic missing has no partitions');
  });
});
