/** Kubernetes version strings (vX.Y.Z, with or without a +build or -suffix). */

/** vX.Y.Z order; strings that are no version sort after the versions, by text. */
export function compareVersions(a: string, b: string): number {
  const pa = /^v?(\d+)\.(\d+)\.(\d+)/.exec(a);
  const pb = /^v?(\d+)\.(\d+)\.(\d+)/.exec(b);
  if (pa && pb) for (let i = 1; i <= 3; i++) if (Number(pa[i]) !== Number(pb[i])) return Number(pa[i]) - Number(pb[i]);
  if (pa && !pb) return -1;
  if (!pa && pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
