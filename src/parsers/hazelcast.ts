/**
 * Hazelcast's membership log (catalogue §E3): each member logs its view of the cluster whenever it changes. 5.x:
 *
 *   Members {size:2, ver:2} [
 *   	Member [10.244.1.5]:5701 - 2f0c…-… this
 *   	Member [10.244.2.3]:5701 - 9a1b…-…
 *   ]
 *
 * The seed's 0.5 image (Hazelcast 3.x) logged `Members [2] {` with `Member [10.244.1.5]:5701 this` lines instead.
 */

export interface Membership {
  /** The size the header states. */
  readonly size: number;
  /** The members' addresses (IP:port) listed under it, in the log's order. */
  readonly members: readonly string[];
}

const HEADER = /Members (?:\{size:(\d+), ver:\d+\} \[|\[(\d+)\] \{)/g;
const MEMBER = /^\s*Member \[([^\]]+)\]:(\d+)/;

/** The last membership view in `log`, or undefined when the member never logged one. */
export function lastMembership(log: string): Membership | undefined {
  let last: RegExpExecArray | undefined;
  for (let m = HEADER.exec(log); m; m = HEADER.exec(log)) last = m;
  HEADER.lastIndex = 0;
  if (!last) return undefined;
  const members: string[] = [];
  for (const line of log
    .slice(last.index + last[0].length)
    .split('\n')
    .slice(1)) {
    const m = MEMBER.exec(line);
    if (!m) break;
    members.push(`${m[1]}:${m[2]}`);
  }
  return { size: Number(last[1] ?? last[2]), members };
}
