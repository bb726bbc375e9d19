import { describe, expect, it } from 'vitest';
import { parseShard, shardOf } from '../src/options.ts';

const names = (xs: { name: string }[]): string[] => xs.map((x) => x.name);
const S = ['zookeeper', 'cassandra', 'wordpress-mysql', 'statefulset-basics', 'zookeeper-maintenance'].map((name) => ({ name }));

describe('--shard I/N', () => {
  it('deals the scenarios, sorted by name, in turn: every scenario in exactly one shard, whatever the input order', () => {
    const parts = [1, 2, 3].map((index) => names(shardOf(S, { index, count: 3 })));
    expect(parts).toEqual([['cassandra', 'zookeeper'], ['statefulset-basics', 'zookeeper-maintenance'], ['wordpress-mysql']]);
    expect(names(shardOf([...S].reverse(), { index: 2, count: 3 }))).toEqual(parts[1]);
    expect(parts.flat().sort()).toEqual(names(S).sort());
  });
  it('1/1 is everything; more shards than scenarios leaves some empty', () => {
    expect(shardOf(S, { index: 1, count: 1 })).toHaveLength(5);
    expect(shardOf(S, { index: 7, count: 7 })).toEqual([]);
  });
  it.each(['0/3', '4/3', '1/0', 'a/b', '2', '1/2/3', ''])('refuses %j in one line', (v) => {
    expect(() => parseShard(v)).toThrow(/^--shard: expected I\/N with 1 <= I <= N/);
  });
});
