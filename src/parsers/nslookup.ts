/**
 * busybox 1.28 `nslookup` output: the first `Address 1:` belongs to the DNS server, the one after
 * `Name: <host>` is the answer (catalogue 1.5).
 */
export function nslookupAddress(output: string, host: string): string | undefined {
  const lines = output.split('\n').map((l) => l.trim());
  const at = lines.findIndex((l) => /^Name:\s+/.test(l) && l.replace(/^Name:\s+/, '').startsWith(host));
  if (at < 0) return undefined;
  const addr = lines.slice(at + 1).find((l) => /^Address( \d+)?:\s+/.test(l));
  return addr?.replace(/^Address( \d+)?:\s+/, '').split(/\s+/)[0];
}
