/** ZooKeeper four-letter-word output (`echo srvr | nc 127.0.0.1 2181`) and zkCli.sh output. */

export interface Srvr {
  readonly version?: string;
  /** leader | follower | standalone | observer */
  readonly mode?: string;
  readonly zxid?: string;
  readonly nodeCount?: number;
}

export function parseSrvr(text: string): Srvr {
  const field = (name: string): string | undefined => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim();
  const nodeCount = field('Node count');
  return {
    ...(field('Zookeeper version') ? { version: field('Zookeeper version')! } : {}),
    ...(field('Mode') ? { mode: field('Mode')! } : {}),
    ...(field('Zxid') ? { zxid: field('Zxid')! } : {}),
    ...(nodeCount ? { nodeCount: Number(nodeCount) } : {}),
  };
}

/** Exactly one leader, the rest followers. */
export function quorumShape(modes: readonly (string | undefined)[]): { ok: boolean; reason: string } {
  const leaders = modes.filter((m) => m === 'leader').length;
  const followers = modes.filter((m) => m === 'follower').length;
  const ok = leaders === 1 && followers === modes.length - 1;
  return { ok, reason: `modes: ${modes.map((m) => m ?? 'unreachable').join(', ')}` };
}
