/** `nodetool status` and `nodetool info` output (Cassandra 3.x–5.x). */

export interface RingNode {
  /** Two letters: U/D (up/down) then N/L/J/M (normal/leaving/joining/moving), e.g. UN, DN, UJ. */
  readonly state: string;
  readonly address: string;
  readonly load: string;
  readonly tokens: number;
  readonly owns: string;
  readonly hostId: string;
  readonly rack: string;
  readonly datacenter: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseNodetoolStatus(text: string): RingNode[] {
  const nodes: RingNode[] = [];
  let datacenter = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const dc = /^Datacenter:\s*(.+)$/.exec(line);
    if (dc) {
      datacenter = dc[1]!.trim();
      continue;
    }
    if (!/^[UD][NLJM]\s/.test(line)) continue;
    const f = line.split(/\s+/);
    // Load is "83.57 KiB" (two fields) on a live node and "?" on some down ones: find Tokens as the first
    // integer after the address, the Host ID as the UUID, and the rack as everything after it.
    const tokensAt = f.findIndex((x, i) => i >= 3 && /^\d+$/.test(x));
    const idAt = f.findIndex((x) => UUID.test(x));
    if (tokensAt < 0 || idAt < 0) continue;
    nodes.push({
      state: f[0]!,
      address: f[1]!,
      load: f.slice(2, tokensAt).join(' '),
      tokens: Number(f[tokensAt]),
      owns: f.slice(tokensAt + 1, idAt).join(' '),
      hostId: f[idAt]!,
      rack: f.slice(idAt + 1).join(' '),
      datacenter,
    });
  }
  return nodes;
}

export interface NodeInfo {
  readonly id?: string;
  readonly heapUsedMb?: number;
  readonly heapMaxMb?: number;
  readonly datacenter?: string;
  readonly rack?: string;
}

export function parseNodetoolInfo(text: string): NodeInfo {
  const field = (name: string): string | undefined => new RegExp(`^${name.replace(/[()]/g, '\\$&')}\\s*:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim();
  const heap = /^([\d.]+)\s*\/\s*([\d.]+)$/.exec(field('Heap Memory (MB)') ?? '');
  return {
    ...(field('ID') ? { id: field('ID')! } : {}),
    ...(heap ? { heapUsedMb: Number(heap[1]), heapMaxMb: Number(heap[2]) } : {}),
    ...(field('Data Center') ? { datacenter: field('Data Center')! } : {}),
    ...(field('Rack') ? { rack: field('Rack')! } : {}),
  };
}
