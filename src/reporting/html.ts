/**
 * One self-contained HTML report for a run (inline CSS and SVG, no external assets, no JS): counts, a table of
 * catalogue assertions per scenario, and per scenario a timeline drawn from the recorded watch events: one lane
 * per pod name, one segment per pod UID, coloured by state (Pending, Running not Ready, Ready, terminating;
 * empty once deleted), with assertion markers at their start and end; above the pods, when the scenario ran a
 * ledger (src/ledger/on-timeline.ts), a lane of fault windows and one lane per ledger (its run, its failed writes
 * and reads). Long idle stretches (a "nothing happens for 30 s" check) are compressed and marked, so that the
 * OrderedReady staircase and the Parallel burst stay visible next to them.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readResultsIfAny, readTimelines, type AssertionResult, type TimelineFile } from './artifacts.ts';
import { isSpanData, type TimelineEntry } from '../timeline.ts';
import { isFailedStretchData, isFaultData, ledgerOfRunSpan } from '../ledger/on-timeline.ts';
import type { PodWatchData } from '../kube/watch.ts';

export type { TimelineFile } from './artifacts.ts';

export interface HtmlReportInput {
  readonly runId: string;
  readonly provider: string;
  readonly results: readonly AssertionResult[];
  readonly timelines: readonly TimelineFile[];
  /** Server version per scenario (results.json `versions`). */
  readonly versions?: Readonly<Record<string, string>>;
  /** Per scenario, the files under diagnostics/<scenario>/ as links relative to the report (kind-logs/ as one). */
  readonly diagnostics?: Readonly<Record<string, readonly string[]>>;
  /** Link to the conformance verdict next to the report, when the run wrote one. */
  readonly conformance?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Derivation (pure, unit-tested)

export type PodState = 'pending' | 'running' | 'ready' | 'terminating' | 'failed';

export interface StateSpan {
  readonly state: PodState;
  /** ms since the timeline started */
  readonly from: number;
  readonly to: number;
  readonly phase: string;
  readonly node?: string;
}

export interface PodSegment {
  /** UID prefix as the watch summary records it. */
  readonly uid: string;
  readonly start: number;
  readonly end: number;
  /** deleted: a DELETED event closed it; replaced: a new UID appeared without one; open: alive at the end. */
  readonly endKind: 'deleted' | 'replaced' | 'open';
  readonly spans: readonly StateSpan[];
}

export interface PodLane {
  readonly pod: string;
  readonly segments: readonly PodSegment[];
}

export interface PodWatchEvent {
  readonly t: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly pod: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly terminating: boolean;
  readonly node?: string;
  readonly uid: string;
}

/** The text form of summarizePod, for timelines written before pod entries carried typed data. */
const POD_WATCH = /^(ADDED|MODIFIED|DELETED) Pod\/(\S+) (\S+) (Ready|NotReady)( terminating)?(?: on (\S+))? uid=(\S+)\s*$/;

const isPodWatchData = (d: unknown): d is PodWatchData => {
  const o = d as Partial<PodWatchData> | undefined;
  return typeof o?.pod === 'string' && typeof o.phase === 'string' && typeof o.ready === 'boolean' && typeof o.type === 'string';
};

/** A pod watch entry's state: its typed data (src/kube/watch.ts podWatchData), else its text; undefined for anything else. */
export function parsePodWatch(e: TimelineEntry): PodWatchEvent | undefined {
  if (e.kind !== 'watch' || e.source !== 'Pod') return undefined;
  if (isPodWatchData(e.data)) {
    const d = e.data;
    return { t: e.t, type: d.type, pod: d.pod, phase: d.phase, ready: d.ready, terminating: d.terminating, ...(d.node ? { node: d.node } : {}), uid: d.uid };
  }
  const m = POD_WATCH.exec(e.text);
  if (!m) return undefined;
  return {
    t: e.t,
    type: m[1] as PodWatchEvent['type'],
    pod: m[2]!,
    phase: m[3]!,
    ready: m[4] === 'Ready',
    terminating: m[5] !== undefined,
    ...(m[6] ? { node: m[6] } : {}),
    uid: m[7]!,
  };
}

export function podStateOf(ev: Pick<PodWatchEvent, 'phase' | 'ready' | 'terminating'>): PodState {
  if (ev.terminating) return 'terminating';
  if (ev.phase === 'Failed' || ev.phase === 'Unknown') return 'failed';
  if (ev.phase === 'Running' || ev.phase === 'Succeeded') return ev.ready ? 'ready' : 'running';
  return 'pending';
}

/** web-10 after web-9: compare the trailing ordinal numerically. */
export function comparePodNames(a: string, b: string): number {
  const ma = /^(.*?)(\d+)$/.exec(a);
  const mb = /^(.*?)(\d+)$/.exec(b);
  if (ma && mb && ma[1] === mb[1]) return Number(ma[2]) - Number(mb[2]);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One lane per pod name, one segment per UID, state spans from consecutive watch events. */
export function podLanes(entries: readonly TimelineEntry[], endT?: number): PodLane[] {
  const end = endT ?? entries.reduce((m, e) => Math.max(m, e.t), 0);
  interface Open {
    uid: string;
    start: number;
    spans: StateSpan[];
    cur: { state: PodState; from: number; phase: string; node?: string };
  }
  const open = new Map<string, Open>();
  const done = new Map<string, PodSegment[]>();
  const order: string[] = [];
  const close = (pod: string, o: Open, t: number, endKind: PodSegment['endKind']): void => {
    const spans = [...o.spans, { state: o.cur.state, from: o.cur.from, to: t, phase: o.cur.phase, ...(o.cur.node ? { node: o.cur.node } : {}) }];
    done.get(pod)!.push({ uid: o.uid, start: o.start, end: t, endKind, spans: spans.filter((s, i) => s.to > s.from || i === spans.length - 1) });
    open.delete(pod);
  };
  for (const e of entries) {
    const ev = parsePodWatch(e);
    if (!ev) continue;
    if (!done.has(ev.pod)) {
      done.set(ev.pod, []);
      order.push(ev.pod);
    }
    let o = open.get(ev.pod);
    if (o && o.uid !== ev.uid) {
      // A new incarnation without a DELETED for the old one (missed event): the old one ends here.
      close(ev.pod, o, ev.t, 'replaced');
      o = undefined;
    }
    const state = podStateOf(ev);
    if (!o) {
      if (ev.type === 'DELETED') continue; // deleted before we saw it: nothing to draw
      open.set(ev.pod, { uid: ev.uid, start: ev.t, spans: [], cur: { state, from: ev.t, phase: ev.phase, ...(ev.node ? { node: ev.node } : {}) } });
      continue;
    }
    if (ev.type === 'DELETED') {
      close(ev.pod, o, ev.t, 'deleted');
      continue;
    }
    if (state !== o.cur.state || (ev.node ?? '') !== (o.cur.node ?? '')) {
      if (state !== o.cur.state) {
        o.spans.push({ state: o.cur.state, from: o.cur.from, to: ev.t, phase: o.cur.phase, ...(o.cur.node ? { node: o.cur.node } : {}) });
        o.cur = { state, from: ev.t, phase: ev.phase, ...(ev.node ? { node: ev.node } : {}) };
      } else if (ev.node) {
        o.cur = { ...o.cur, node: ev.node };
      }
    }
  }
  for (const [pod, o] of [...open]) close(pod, o, Math.max(end, o.cur.from), 'open');
  return order.sort(comparePodNames).map((pod) => ({ pod, segments: done.get(pod)! }));
}

export interface AssertionMark {
  readonly id: string;
  readonly title: string;
  readonly start: number;
  /** undefined when the run ended (or crashed) before the assertion did */
  readonly end?: number;
  readonly outcome: 'passed' | 'failed' | 'skipped' | 'running';
  readonly message?: string;
}

/** Assertion start/end times from the 'assert' entries (source = catalogue ID). */
export function assertionMarks(entries: readonly TimelineEntry[]): AssertionMark[] {
  const out: AssertionMark[] = [];
  const running = new Map<string, number>();
  for (const e of entries) {
    if (e.kind !== 'assert') continue;
    const id = e.source;
    if (e.text.startsWith('start:')) {
      running.set(id, out.length);
      out.push({ id, title: e.text.slice(6).trim(), start: e.t, outcome: 'running' });
    } else if (e.text.startsWith('skipped')) {
      const message = e.text.replace(/^skipped:?\s*/, '');
      const i = running.get(id);
      // A partial assertion ran (its API part passed) and then was reported skipped: close its span.
      if (i === undefined) out.push({ id, title: '', start: e.t, end: e.t, outcome: 'skipped', message });
      else {
        out[i] = { ...out[i]!, end: e.t, outcome: 'skipped', message };
        running.delete(id);
      }
    } else if (e.text === 'passed' || e.text.startsWith('failed')) {
      const i = running.get(id);
      const outcome = e.text === 'passed' ? 'passed' : 'failed';
      const message = outcome === 'failed' ? e.text.replace(/^failed:?\s*/, '') : undefined;
      if (i === undefined) out.push({ id, title: '', start: e.t, end: e.t, outcome, ...(message ? { message } : {}) });
      else {
        out[i] = { ...out[i]!, end: e.t, outcome, ...(message ? { message } : {}) };
        running.delete(id);
      }
    }
  }
  return out;
}

export interface FaultBar {
  readonly fault: string;
  /** ms since the timeline started */
  readonly start: number;
  readonly end: number;
}

/** The fault windows of a scenario: its 'fault' entries with FaultData (added when a fault ends), by start. */
export function faultBars(entries: readonly TimelineEntry[]): FaultBar[] {
  return entries
    .flatMap((e) => (e.source === 'fault' && isFaultData(e.data) ? [{ fault: e.data.fault, start: e.data.startMs, end: e.data.endMs }] : []))
    .sort((a, b) => a.start - b.start);
}

export interface FailedStretch {
  readonly op: 'write' | 'read';
  readonly start: number;
  readonly end: number;
  readonly failed: number;
}

export interface LedgerLane {
  readonly ledger: string;
  /** the whole run (its 'window' span), with the span's text (summary and file) */
  readonly run?: { readonly start: number; readonly end: number; readonly text: string };
  readonly stretches: readonly FailedStretch[];
}

/** One lane per ledger name, in order of first appearance: its run span and its failed stretches ('ledger' entries). */
export function ledgerLanes(entries: readonly TimelineEntry[]): LedgerLane[] {
  const lanes = new Map<string, { run?: LedgerLane['run']; stretches: FailedStretch[] }>();
  const lane = (name: string): { run?: LedgerLane['run']; stretches: FailedStretch[] } => {
    let l = lanes.get(name);
    if (!l) {
      l = { stretches: [] };
      lanes.set(name, l);
    }
    return l;
  };
  for (const e of entries) {
    if (e.source !== 'ledger') continue;
    if (isFailedStretchData(e.data)) {
      const d = e.data;
      lane(d.ledger).stretches.push({ op: d.op, start: d.startMs, end: d.endMs, failed: d.failed });
      continue;
    }
    const name = ledgerOfRunSpan(e);
    if (name !== undefined && isSpanData(e.data)) lane(name).run = { start: e.data.startMs, end: e.data.endMs, text: e.text };
  }
  return [...lanes].map(([ledger, l]) => ({ ledger, ...(l.run ? { run: l.run } : {}), stretches: l.stretches.sort((a, b) => a.start - b.start) }));
}

export interface ScalePiece {
  readonly t0: number;
  readonly t1: number;
  readonly x0: number;
  readonly x1: number;
  /** a compressed idle stretch */
  readonly gap: boolean;
}

export interface TimeScale {
  readonly pieces: readonly ScalePiece[];
  readonly width: number;
  readonly pxPerMs: number;
  x(t: number): number;
}

/**
 * A piecewise-linear time axis: stretches longer than gapMs without any entry are drawn gapPx wide, the rest
 * at one common scale chosen to fill targetWidth (within [minPxPerS, maxPxPerS]; wider plots scroll).
 */
export function timeScale(
  times: readonly number[],
  opts: { targetWidth?: number; gapMs?: number; gapPx?: number; marginMs?: number; minPxPerS?: number; maxPxPerS?: number } = {},
): TimeScale {
  const { targetWidth = 1110, gapMs = 5000, gapPx = 44, marginMs = 600, minPxPerS = 14, maxPxPerS = 400 } = opts;
  const ts = [...new Set([0, ...times])].sort((a, b) => a - b);
  const end = ts[ts.length - 1]!;
  const gaps: Array<[number, number]> = [];
  for (let i = 1; i < ts.length; i++) {
    const a = ts[i - 1]!;
    const b = ts[i]!;
    if (b - a > gapMs) gaps.push([a + marginMs, b - marginMs]);
  }
  const idle = gaps.reduce((s, [a, b]) => s + (b - a), 0);
  const active = Math.max(end - idle, 1);
  const pxPerS = Math.min(maxPxPerS, Math.max(minPxPerS, (targetWidth - gaps.length * gapPx) / (active / 1000)));
  const pxPerMs = pxPerS / 1000;
  const pieces: ScalePiece[] = [];
  let t = 0;
  let x = 0;
  for (const [a, b] of gaps) {
    pieces.push({ t0: t, t1: a, x0: x, x1: x + (a - t) * pxPerMs, gap: false });
    x += (a - t) * pxPerMs;
    pieces.push({ t0: a, t1: b, x0: x, x1: x + gapPx, gap: true });
    x += gapPx;
    t = b;
  }
  pieces.push({ t0: t, t1: end, x0: x, x1: x + (end - t) * pxPerMs, gap: false });
  x += (end - t) * pxPerMs;
  const scaleX = (tt: number): number => {
    if (tt <= 0) return 0;
    for (const p of pieces) {
      if (tt <= p.t1) return p.t1 === p.t0 ? p.x0 : p.x0 + ((tt - p.t0) / (p.t1 - p.t0)) * (p.x1 - p.x0);
    }
    return x;
  };
  return { pieces, width: x, pxPerMs, x: scaleX };
}

export interface Counts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** passed after a retry: results carrying `flaky: true` (vitest's TestDiagnostic.flaky) */
  readonly flaky: number;
  readonly total: number;
}

const isFlaky = (r: AssertionResult): boolean => (r as AssertionResult & { flaky?: boolean }).flaky === true;

export function countResults(results: readonly AssertionResult[]): Counts {
  const n = (o: AssertionResult['outcome']): number => results.filter((r) => r.outcome === o).length;
  return { passed: n('passed'), failed: n('failed'), skipped: n('skipped'), flaky: results.filter(isFlaky).length, total: results.length };
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

/** Escapes text for HTML/SVG text and attribute values; drops ANSI colour codes and control characters. */
export function esc(s: unknown): string {
  return String(s ?? '')
    .replace(/\u001b\[[0-9;]*[A-Za-z]/g, '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const anchor = (s: string): string => `scenario-${s.replace(/[^A-Za-z0-9_-]/g, '_')}`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const duration = (ms: number): string => (ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(2)} s`);
const num = (n: number): string => (Math.round(n * 10) / 10).toString();

const STATE_LABEL: Record<PodState, string> = {
  pending: 'created / Pending',
  running: 'Running, not Ready',
  ready: 'Running and Ready',
  terminating: 'terminating',
  failed: 'Failed / Unknown',
};

const CSS = `
:root { --pass: #2b8a3e; --fail: #d62828; --skip: #868e96; --flaky: #e67700; --ink: #212529; --muted: #6c757d; --line: #dee2e6; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", sans-serif; color: var(--ink); margin: 0; background: #f8f9fa; }
main { max-width: 1360px; margin: 0 auto; padding: 16px 20px 40px; }
header.run { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 24px; padding: 14px 18px; border-radius: 8px; background: #fff; border: 1px solid var(--line); border-left: 8px solid var(--pass); }
header.run.failed { border-left-color: var(--fail); }
header.run h1 { font-size: 20px; margin: 0; }
header.run .meta { color: var(--muted); }
header.run code { color: var(--ink); }
.counts { display: flex; gap: 8px; margin-left: auto; }
.count { padding: 4px 10px; border-radius: 14px; font-weight: 600; background: #e9ecef; }
.count.passed { background: #d3f9d8; color: #1b5e20; }
.count.failed { background: #ffe3e3; color: #a51111; }
.count.skipped { background: #e9ecef; color: #495057; }
.count.flaky { background: #fff3bf; color: #8a5300; }
.count.zero { opacity: .55; }
nav.toc { margin: 10px 2px; color: var(--muted); }
nav.toc a { margin-right: 14px; }
section.scenario { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 18px 18px; margin-top: 18px; }
section.scenario h2 { font-size: 18px; margin: 4px 0 2px; }
section.scenario h3 { font-size: 15px; margin: 18px 0 6px; }
.sub { color: var(--muted); font-size: 13px; }
table.asserts { border-collapse: collapse; width: 100%; font-size: 13px; }
table.asserts th, table.asserts td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.asserts th { background: #f1f3f5; font-weight: 600; }
table.asserts td.id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; white-space: nowrap; }
table.asserts td.oc { white-space: nowrap; }
table.asserts td.dur { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.asserts tr.failed td { background: #fff5f5; }
table.asserts tr.skipped td { color: #5c636a; }
.outcome { display: inline-block; min-width: 58px; text-align: center; padding: 1px 6px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.outcome.passed { background: #d3f9d8; color: #1b5e20; }
.outcome.failed { background: var(--fail); color: #fff; }
.outcome.skipped { background: #e9ecef; color: #495057; }
.outcome.flaky { background: #fff3bf; color: #8a5300; margin-left: 4px; }
td.msg { max-width: 560px; overflow-wrap: anywhere; }
td.msg .reason { font-style: italic; }
pre { background: #f1f3f5; padding: 8px; border-radius: 4px; overflow: auto; max-height: 360px; font-size: 12px; white-space: pre-wrap; }
details > summary { cursor: pointer; color: #1c5d99; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 12px; color: #495057; margin: 4px 0 6px; }
.legend span.sw { display: inline-block; width: 22px; height: 11px; border-radius: 2px; vertical-align: -1px; margin-right: 5px; border: 1px solid rgba(0,0,0,.15); }
.timeline { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
.timeline svg { display: block; }
svg text { font-family: system-ui, "DejaVu Sans", "Liberation Sans", sans-serif; }
svg .lane-label { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; fill: #212529; }
svg .axis text { font-size: 11px; fill: #495057; }
svg .mark-label { font-size: 10.5px; font-weight: 600; }
svg .gap-label { font-size: 10px; fill: #495057; }
ul.deviations { margin: 4px 0; padding-left: 20px; font-size: 13px; }
ul.diagnostics { margin: 4px 0; padding-left: 20px; font-size: 13px; columns: 3 240px; }
ul.deviations code { font-size: 12px; }
table.entries { border-collapse: collapse; font: 12px ui-monospace, "DejaVu Sans Mono", monospace; }
table.entries td { padding: 1px 8px 1px 0; vertical-align: top; white-space: pre-wrap; }
table.entries td.t { text-align: right; color: var(--muted); }
table.entries tr.assert td { color: #1c5d99; }
table.entries tr.action td { color: #8a5300; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
`;

const COLOR: Record<PodState, string> = {
  pending: '#f6c343',
  running: '#74b3e8',
  ready: '#2f9e44',
  terminating: 'url(#hatch-terminating)',
  failed: '#d62828',
};
const SWATCH: Record<PodState, string> = {
  pending: '#f6c343',
  running: '#74b3e8',
  ready: '#2f9e44',
  terminating: 'repeating-linear-gradient(135deg, #9c6644 0 3px, #ddb892 3px 6px)',
  failed: '#d62828',
};

/** What a timeline draws besides pods and assertions, for the legend. */
export function timelineExtras(entries: readonly TimelineEntry[]): { faults: boolean; ledgers: boolean } {
  return { faults: faultBars(entries).length > 0, ledgers: ledgerLanes(entries).length > 0 };
}

const FAULT_FILL = '#e5dbff';
const FAULT_STROKE = '#7048e8';
const LEDGER_RUN_FILL = '#e7f5ff';
const LEDGER_RUN_STROKE = '#74c0fc';
const LEDGER_FAILED: Record<FailedStretch['op'], string> = { write: '#d62828', read: '#ff6b6b' };

function legend(extras: { faults: boolean; ledgers: boolean } = { faults: false, ledgers: false }): string {
  const states = (Object.keys(STATE_LABEL) as PodState[]).map(
    (s) => `<span><span class="sw" style="background:${SWATCH[s]}"></span>${esc(STATE_LABEL[s])}</span>`,
  );
  return (
    `<div class="legend">${states.join('')}<span><span class="sw" style="background:#fff"></span>no pod (deleted)</span>` +
    `<span>│ segment border = one pod UID; ✕ = DELETED</span>` +
    `<span><span class="sw" style="background:none;border:none;border-left:2px dashed #495057;width:0;height:14px;vertical-align:-3px"></span>assertion start/end (<b style="color:var(--fail)">red</b> = failed)</span>` +
    `<span><span class="sw" style="background:repeating-linear-gradient(90deg,#e9ecef 0 2px,#fff 2px 5px)"></span>idle time, compressed</span>` +
    (extras.faults ? `<span><span class="sw" style="background:${FAULT_FILL};border-color:${FAULT_STROKE}"></span>fault window</span>` : '') +
    (extras.ledgers
      ? `<span><span class="sw" style="background:${LEDGER_RUN_FILL};border-color:${LEDGER_RUN_STROKE}"></span>ledger run</span>` +
        `<span><span class="sw" style="background:linear-gradient(${LEDGER_FAILED.write} 0 50%,${LEDGER_FAILED.read} 50% 100%)"></span>ledger failures (upper half: writes, lower half: reads)</span>`
      : '') +
    '</div>'
  );
}

interface Packed<T> {
  item: T;
  row: number;
}
function pack<T>(items: readonly T[], span: (t: T) => [number, number]): { rows: number; placed: Packed<T>[] } {
  const rowEnds: number[] = [];
  const placed: Packed<T>[] = [];
  for (const item of items) {
    const [a, b] = span(item);
    let row = rowEnds.findIndex((e) => e + 4 <= a);
    if (row < 0) {
      row = rowEnds.length;
      rowEnds.push(b);
    } else rowEnds[row] = b;
    placed.push({ item, row });
  }
  return { rows: rowEnds.length, placed };
}

function tickStep(pxPerMs: number): number {
  for (const s of [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000]) {
    if (s * pxPerMs >= 56) return s;
  }
  return 1_200_000;
}

/** The timeline SVG of one scenario. */
export function timelineSvg(tl: TimelineFile): string {
  const entries = tl.entries;
  const end = entries.reduce((m, e) => Math.max(m, e.t), 0);
  const lanes = podLanes(entries, end);
  // Skipped before running: nothing to draw. Partial (ran, then reported skipped): drawn as the span it took.
  const marks = assertionMarks(entries).filter((m) => m.outcome !== 'skipped' || (m.end ?? m.start) > m.start);
  const actions = entries.filter((e) => e.kind === 'action');
  const faults = faultBars(entries);
  const ledgers = ledgerLanes(entries);
  // Bar ends that are no entry's time (a ledger's failed stretch) join the axis, so that none falls inside a compressed stretch.
  const barTimes = [
    ...faults.flatMap((f) => [f.start, f.end]),
    ...ledgers.flatMap((l) => [...(l.run ? [l.run.start, l.run.end] : []), ...l.stretches.flatMap((s) => [s.start, s.end])]),
  ];
  const scale = timeScale([...entries.map((e) => e.t), ...barTimes]);
  const extraLabels = [...(faults.length > 0 ? ['faults'] : []), ...ledgers.map((l) => `ledger ${l.ledger}`)];
  const LEFT = Math.max(96, ...extraLabels.map((l) => Math.ceil(l.length * 7.3) + 14));
  const X = (t: number): number => LEFT + scale.x(t);

  const RIGHT = 24;
  const LANE_H = 24;
  const LANE_GAP = 6;
  const ROW_H = 15;
  const labelW = (id: string): number => id.length * 6.6 + 6;

  const packed = pack(
    [...marks].sort((a, b) => a.start - b.start),
    (m) => {
      const x0 = scale.x(m.start);
      return [x0, Math.max(scale.x(m.end ?? end), x0 + labelW(m.id))];
    },
  );
  const markTop = 8;
  const markH = Math.max(1, packed.rows) * ROW_H;
  const actTop = markTop + markH + 6;
  const actH = 14;
  const FAULT_ROW_H = 18;
  const faultPacked = pack(faults, (f) => {
    const x0 = scale.x(f.start);
    return [x0, Math.max(scale.x(f.end), x0 + labelW(f.fault))];
  });
  const faultTop = actTop + actH + 6;
  const faultH = faults.length > 0 ? faultPacked.rows * FAULT_ROW_H + LANE_GAP : 0;
  const ledgerTop = faultTop + faultH;
  const lanesTop = ledgerTop + ledgers.length * (LANE_H + LANE_GAP);
  const lanesH = Math.max(1, lanes.length) * (LANE_H + LANE_GAP);
  const axisTop = lanesTop + lanesH + 2;
  const height = axisTop + 34;
  const width = Math.ceil(LEFT + scale.width + RIGHT + 40);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline-svg" data-scenario="${esc(tl.scenario)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`timeline of ${tl.scenario}`)}">`,
    '<defs><pattern id="hatch-terminating" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
      '<rect width="6" height="6" fill="#ddb892"/><rect width="3" height="6" fill="#9c6644"/></pattern>' +
      '<pattern id="hatch-gap" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="#fff"/><rect width="2" height="5" fill="#e9ecef"/></pattern></defs>',
  );

  // Row labels and lane backgrounds.
  out.push(`<text x="${LEFT - 8}" y="${markTop + 11}" text-anchor="end" class="gap-label">assertions</text>`);
  out.push(`<text x="${LEFT - 8}" y="${actTop + 11}" text-anchor="end" class="gap-label">actions</text>`);
  if (faults.length > 0) {
    out.push(
      `<rect x="${LEFT}" y="${faultTop - LANE_GAP / 2}" width="${num(scale.width)}" height="${faultH}" fill="#f8f7ff"/>`,
      `<text x="${LEFT - 8}" y="${faultTop + FAULT_ROW_H / 2 + 4}" text-anchor="end" class="lane-label">faults</text>`,
    );
  }
  ledgers.forEach((l, i) => {
    const y = ledgerTop + i * (LANE_H + LANE_GAP);
    out.push(
      `<rect x="${LEFT}" y="${y - LANE_GAP / 2}" width="${num(scale.width)}" height="${LANE_H + LANE_GAP}" fill="${i % 2 ? '#f8f9fa' : '#fff'}"/>`,
      `<text x="${LEFT - 8}" y="${y + LANE_H / 2 + 4}" text-anchor="end" class="lane-label">${esc(`ledger ${l.ledger}`)}</text>`,
    );
  });
  lanes.forEach((lane, i) => {
    const y = lanesTop + i * (LANE_H + LANE_GAP);
    out.push(
      `<rect x="${LEFT}" y="${y - LANE_GAP / 2}" width="${num(scale.width)}" height="${LANE_H + LANE_GAP}" fill="${i % 2 ? '#fff' : '#f8f9fa'}"/>`,
      `<text x="${LEFT - 8}" y="${y + LANE_H / 2 + 4}" text-anchor="end" class="lane-label">${esc(lane.pod)}</text>`,
    );
  });

  // Compressed idle stretches: hatched band behind everything.
  for (const p of scale.pieces.filter((pp) => pp.gap)) {
    out.push(
      `<g class="gap"><rect x="${num(LEFT + p.x0)}" y="${markTop}" width="${num(p.x1 - p.x0)}" height="${axisTop - markTop}" fill="url(#hatch-gap)"/>` +
        `<title>${esc(`${secs(p.t1 - p.t0)} without any event, compressed (${secs(p.t0)} → ${secs(p.t1)})`)}</title></g>`,
    );
  }

  // Fault windows: a bar per window, labelled with the fault, packed in rows when they overlap.
  if (faults.length > 0) {
    out.push('<g class="fault-lane">');
    for (const { item: f, row } of faultPacked.placed) {
      const x0 = X(f.start);
      const x1 = Math.max(X(f.end), x0 + 2);
      const y = faultTop + row * FAULT_ROW_H;
      out.push(
        `<g class="fault" data-fault="${esc(f.fault)}"><title>${esc(`fault ${f.fault}: ${secs(f.start)} → ${secs(f.end)} (${duration(f.end - f.start)})`)}</title>` +
          `<rect x="${num(x0)}" y="${y + 1}" width="${num(x1 - x0)}" height="${FAULT_ROW_H - 4}" fill="${FAULT_FILL}" stroke="${FAULT_STROKE}" stroke-width="1" rx="2"/>` +
          `<text x="${num(x0 + 3)}" y="${y + FAULT_ROW_H - 6}" class="mark-label" fill="#5f3dc4">${esc(f.fault)}</text></g>`,
      );
    }
    out.push('</g>');
  }

  // Ledger lanes: the run as a light bar, failed writes (upper half) and reads (lower half) as red bars.
  ledgers.forEach((l, i) => {
    const y = ledgerTop + i * (LANE_H + LANE_GAP);
    out.push(`<g class="ledger-lane" data-ledger="${esc(l.ledger)}">`);
    if (l.run) {
      const x0 = X(l.run.start);
      const x1 = Math.max(X(l.run.end), x0 + 2);
      out.push(
        `<rect class="ledger-run" x="${num(x0)}" y="${y}" width="${num(x1 - x0)}" height="${LANE_H}" fill="${LEDGER_RUN_FILL}" stroke="${LEDGER_RUN_STROKE}" stroke-width="1" rx="2">` +
          `<title>${esc(`${l.run.text}; ${secs(l.run.start)} → ${secs(l.run.end)}`)}</title></rect>`,
      );
    }
    const half = (LANE_H - 6) / 2;
    for (const s of l.stretches) {
      const x0 = X(s.start);
      const x1 = Math.max(X(s.end), x0 + 2);
      const sy = s.op === 'write' ? y + 2 : y + 4 + half;
      out.push(
        `<rect class="ledger-failed ledger-failed-${s.op}" data-op="${s.op}" data-failed="${s.failed}" x="${num(x0)}" y="${sy}" width="${num(x1 - x0)}" height="${half}" fill="${LEDGER_FAILED[s.op]}">` +
          `<title>${esc(`ledger ${l.ledger}: ${s.failed} ${s.op}${s.failed === 1 ? '' : 's'} failed, ${secs(s.start)} → ${secs(s.end)} (${duration(s.end - s.start)})`)}</title></rect>`,
      );
    }
    out.push('</g>');
  });

  // Pod lanes.
  lanes.forEach((lane, i) => {
    const y = lanesTop + i * (LANE_H + LANE_GAP);
    out.push(`<g class="lane" data-pod="${esc(lane.pod)}">`);
    for (const seg of lane.segments) {
      const x0 = X(seg.start);
      const x1 = Math.max(X(seg.end), x0 + 2);
      out.push(`<g class="segment" data-uid="${esc(seg.uid)}" data-end="${seg.endKind}">`);
      for (const s of seg.spans) {
        const sx0 = X(s.from);
        const sx1 = Math.max(X(s.to), sx0 + 1);
        out.push(
          `<rect class="state state-${s.state}" data-state="${s.state}" x="${num(sx0)}" y="${y}" width="${num(sx1 - sx0)}" height="${LANE_H}" fill="${COLOR[s.state]}">` +
            `<title>${esc(`${lane.pod} uid=${seg.uid}: ${STATE_LABEL[s.state]} (${s.phase})${s.node ? ` on ${s.node}` : ''}, ${secs(s.from)} → ${secs(s.to)} (${duration(s.to - s.from)})`)}</title></rect>`,
        );
      }
      out.push(
        `<rect x="${num(x0 + 0.5)}" y="${y + 0.5}" width="${num(Math.max(x1 - x0 - 1, 1))}" height="${LANE_H - 1}" fill="none" stroke="#343a40" stroke-width="1" rx="2"/>`,
      );
      // creation tick
      out.push(`<rect x="${num(x0)}" y="${y - 2}" width="2" height="${LANE_H + 4}" fill="#212529"/>`);
      if (seg.endKind === 'deleted') {
        const cx = x1 + 4;
        const cy = y + LANE_H / 2;
        out.push(
          `<path d="M${num(cx - 3)} ${num(cy - 3)}L${num(cx + 3)} ${num(cy + 3)}M${num(cx + 3)} ${num(cy - 3)}L${num(cx - 3)} ${num(cy + 3)}" stroke="#212529" stroke-width="1.6"><title>${esc(`${lane.pod} uid=${seg.uid} DELETED at ${secs(seg.end)}`)}</title></path>`,
        );
      }
      out.push('</g>');
    }
    out.push('</g>');
  });
  if (lanes.length === 0) out.push(`<text x="${LEFT + 8}" y="${lanesTop + 15}" class="gap-label">no pod watch events recorded</text>`);

  // Fault windows' bounds through the lanes below them.
  for (const { item: f, row } of faultPacked.placed) {
    for (const t of [f.start, f.end]) {
      out.push(
        `<line class="fault-bound" x1="${num(X(t))}" y1="${faultTop + row * FAULT_ROW_H + FAULT_ROW_H - 3}" x2="${num(X(t))}" y2="${axisTop}" stroke="${FAULT_STROKE}" stroke-width="1" stroke-dasharray="2 3" opacity=".6" pointer-events="none"/>`,
      );
    }
  }

  // Actions: small triangles with the step text as tooltip.
  for (const a of actions) {
    const x = X(a.t);
    out.push(
      `<path class="action" d="M${num(x - 4)} ${actTop + 2}L${num(x + 4)} ${actTop + 2}L${num(x)} ${actTop + 11}Z" fill="#8a5300" opacity=".75"><title>${esc(`${secs(a.t)} ${a.text}`)}</title></path>`,
    );
  }

  // Assertion markers: a bar in the assertions track, and vertical lines through the lanes at start and end.
  for (const { item: m, row } of packed.placed) {
    const failed = m.outcome === 'failed';
    const color = failed ? '#d62828' : m.outcome === 'running' ? '#e67700' : '#495057';
    const x0 = X(m.start);
    const x1 = X(m.end ?? end);
    const y = markTop + row * ROW_H;
    const tip = esc(
      `[${m.id}] ${m.title} — ${m.outcome}${m.message ? `: ${m.message}` : ''} (${secs(m.start)} → ${m.end === undefined ? 'end' : secs(m.end)})`,
    );
    out.push(`<g class="mark mark-${m.outcome}" data-id="${esc(m.id)}"><title>${tip}</title>`);
    out.push(
      `<line x1="${num(x0)}" y1="${y + 2}" x2="${num(x0)}" y2="${axisTop}" stroke="${color}" stroke-width="1" stroke-dasharray="3 3" opacity="${failed ? 0.9 : 0.45}"/>`,
    );
    if (x1 - x0 >= 3 || failed) {
      out.push(
        `<line x1="${num(x1)}" y1="${y + 2}" x2="${num(x1)}" y2="${axisTop}" stroke="${color}" stroke-width="${failed ? 2 : 1}" opacity="${failed ? 0.95 : 0.45}"/>`,
      );
    }
    out.push(`<rect x="${num(x0)}" y="${y + 9}" width="${num(Math.max(x1 - x0, 1.5))}" height="4" fill="${color}" opacity="${failed ? 1 : 0.55}"/>`);
    out.push(`<text x="${num(x0 + 3)}" y="${y + 8}" class="mark-label" fill="${color}">${esc(m.id)}</text></g>`);
  }

  // Time axis, in seconds since the scenario's timeline started.
  const step = tickStep(scale.pxPerMs);
  out.push(`<g class="axis"><line x1="${LEFT}" y1="${axisTop}" x2="${num(LEFT + scale.width)}" y2="${axisTop}" stroke="#868e96"/>`);
  for (const p of scale.pieces) {
    if (p.gap) {
      const mid = LEFT + (p.x0 + p.x1) / 2;
      out.push(
        `<path d="M${num(LEFT + p.x0 + 4)} ${axisTop - 4}l4 8M${num(LEFT + p.x1 - 8)} ${axisTop - 4}l4 8" stroke="#495057"/>`,
        `<text x="${num(mid)}" y="${axisTop + 14}" text-anchor="middle" class="gap-label">+${Math.round((p.t1 - p.t0) / 1000)} s</text>`,
      );
      continue;
    }
    for (let t = Math.ceil(p.t0 / step) * step; t <= p.t1 + 1e-6; t += step) {
      const x = LEFT + p.x0 + (t - p.t0) * scale.pxPerMs;
      // keep tick labels clear of a neighbouring gap label
      const nearGap = scale.pieces.some((g) => g.gap && Math.abs(LEFT + (g.x0 + g.x1) / 2 - x) < 34);
      out.push(`<line x1="${num(x)}" y1="${axisTop}" x2="${num(x)}" y2="${axisTop + 5}" stroke="#868e96"/>`);
      if (!nearGap)
        out.push(
          `<text x="${num(x)}" y="${axisTop + 17}" text-anchor="middle">${esc(step < 1000 ? (t / 1000).toFixed(1) : String(Math.round(t / 1000)))}</text>`,
        );
    }
  }
  out.push(`<text x="${num(LEFT + scale.width + 6)}" y="${axisTop + 4}" class="gap-label">s</text></g>`);
  out.push('</svg>');
  return out.join('\n');
}

function resultRow(r: AssertionResult): string {
  const title = r.name.replace(/^\[[^\]]+\]\s*/, '');
  const flaky = isFlaky(r) ? '<span class="outcome flaky">flaky</span>' : '';
  let msg = '';
  if (r.outcome === 'skipped') msg = `<span class="reason">${esc(r.message ?? 'skipped')}</span>`;
  else if (r.outcome === 'failed') {
    msg = esc(r.message ?? 'failed');
    if (r.details && r.details.trim() !== (r.message ?? '').trim()) msg += `<details><summary>details</summary><pre>${esc(r.details)}</pre></details>`;
  } else if (r.message) msg = esc(r.message);
  return (
    `<tr class="${r.outcome}" data-id="${esc(r.id)}"><td class="id">${esc(r.id)}</td><td>${esc(title)}</td>` +
    `<td class="oc"><span class="outcome ${r.outcome}">${r.outcome}</span>${flaky}</td><td class="dur">${duration(r.durationMs)}</td><td class="msg">${msg}</td></tr>`
  );
}

function countsHtml(c: Counts): string {
  const b = (k: keyof Omit<Counts, 'total'>): string => `<span class="count ${k}${c[k] === 0 ? ' zero' : ''}" data-count="${k}">${c[k]} ${k}</span>`;
  return `<div class="counts">${b('passed')}${b('failed')}${b('skipped')}${b('flaky')}</div>`;
}

function entriesTable(entries: readonly TimelineEntry[]): string {
  const rows = entries.map(
    (e) => `<tr class="${e.kind}"><td class="t">${(e.t / 1000).toFixed(3)}</td><td>${esc(e.kind)}</td><td>${esc(e.source)}</td><td>${esc(e.text)}</td></tr>`,
  );
  return `<details><summary>all ${entries.length} timeline entries</summary><table class="entries">${rows.join('')}</table></details>`;
}

export function htmlReport(input: HtmlReportInput): string {
  const counts = countResults(input.results);
  const names: string[] = [];
  for (const r of input.results) if (!names.includes(r.scenario)) names.push(r.scenario);
  for (const t of input.timelines) if (!names.includes(t.scenario)) names.push(t.scenario);
  const failed = counts.failed > 0;
  const title = `stateful-e2e ${input.provider} run ${input.runId}`;

  const sections = names.map((name) => {
    const rs = input.results.filter((r) => r.scenario === name);
    const tl = input.timelines.find((t) => t.scenario === name);
    const c = countResults(rs);
    const parts: string[] = [];
    parts.push(`<section class="scenario" id="${anchor(name)}" data-scenario="${esc(name)}">`);
    parts.push(`<h2>${esc(name)}</h2>`);
    parts.push(
      `<div class="sub">${c.passed} passed · ${c.failed} failed · ${c.skipped} skipped${c.flaky ? ` · ${c.flaky} flaky` : ''}` +
        (input.versions?.[name] ? ` · Kubernetes ${esc(input.versions[name])}` : '') +
        (tl ? ` · namespace <code>${esc(tl.namespace)}</code> · started ${esc(tl.startedAt)}` : '') +
        '</div>',
    );
    if (tl) {
      parts.push('<h3>Timeline</h3>');
      parts.push(legend(timelineExtras(tl.entries)));
      parts.push(`<div class="timeline">${timelineSvg(tl)}</div>`);
      parts.push('<h3>Deviations from the tutorial manifests</h3>');
      parts.push(
        tl.deviations.length === 0
          ? '<div class="sub">none: the manifests ran as published</div>'
          : `<ul class="deviations">${tl.deviations.map((d) => `<li><code>${esc(d.object)}</code>: ${esc(d.change)}</li>`).join('')}</ul>`,
      );
    } else {
      parts.push('<div class="sub">no timeline recorded for this scenario</div>');
    }
    if (rs.length > 0) {
      parts.push('<h3>Assertions</h3>');
      parts.push(
        `<table class="asserts"><thead><tr><th>ID</th><th>assertion</th><th>outcome</th><th>duration</th><th>message / reason</th></tr></thead><tbody>${rs.map(resultRow).join('')}</tbody></table>`,
      );
    }
    const diag = input.diagnostics?.[name] ?? [];
    if (diag.length > 0) {
      // Written on failure before teardown (diagnostics.ts); kind-logs/ is `kind export logs` of the cluster.
      parts.push('<h3>Diagnostics (captured before teardown)</h3>');
      parts.push(
        `<ul class="diagnostics">${diag.map((f) => `<li><a href="${esc(f)}">${esc(f.replace(/^diagnostics\/[^/]+\//, ''))}</a>${f.endsWith('/kind-logs/') ? ' (kind export logs: node journals, kubelet, containerd, all container logs)' : ''}</li>`).join('')}</ul>`,
      );
    }
    if (tl) {
      parts.push(entriesTable(tl.entries));
    }
    parts.push('</section>');
    return parts.join('\n');
  });

  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style></head><body><main>`,
    `<header class="run${failed ? ' failed' : ''}" data-outcome="${failed ? 'failed' : 'passed'}">`,
    `<h1>${failed ? 'FAILED' : 'PASSED'} · stateful-e2e</h1>`,
    `<div class="meta">run <code>${esc(input.runId)}</code> · provider <code>${esc(input.provider)}</code>` +
      `${[...new Set(Object.values(input.versions ?? {}))].map((v) => ` · Kubernetes <code>${esc(v)}</code>`).join('')} · ${counts.total} assertions` +
      `${input.conformance ? ` · <a href="${esc(input.conformance)}">conformance verdict</a>` : ''}</div>`,
    countsHtml(counts),
    '</header>',
    names.length > 1 ? `<nav class="toc">${names.map((n) => `<a href="#${anchor(n)}">${esc(n)}</a>`).join('')}</nav>` : '',
    ...sections,
    names.length === 0 ? '<p>No results and no timelines in this report.</p>' : '',
    '<footer>Times are seconds since each scenario’s timeline started (monotonic clock). Hover a bar or marker for details. ' +
      'Lanes come from the pod watch stream; a new segment in the same lane is a new pod UID with the same name.</footer>',
    '</main></body></html>',
    '',
  ].join('\n');
}

/** Reads <reportDir>/results.json and <reportDir>/timelines/*.json, writes <reportDir>/report.html, returns its path. */
export function writeHtmlReport(reportDir: string): string {
  const parsed = readResultsIfAny(reportDir);
  const diagDir = path.join(reportDir, 'diagnostics');
  const diagnostics: Record<string, string[]> = {};
  if (existsSync(diagDir)) {
    for (const sc of readdirSync(diagDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      diagnostics[sc.name] = readdirSync(path.join(diagDir, sc.name), { withFileTypes: true })
        .map((f) => `diagnostics/${sc.name}/${f.name}${f.isDirectory() ? '/' : ''}`)
        .sort();
    }
  }
  const timelines = readTimelines(reportDir);
  const file = path.join(reportDir, 'report.html');
  writeFileSync(
    file,
    htmlReport({
      runId: parsed.runId ?? '?',
      provider: parsed.provider ?? '?',
      results: parsed.results ?? [],
      timelines,
      ...(parsed.versions ? { versions: parsed.versions } : {}),
      diagnostics,
      ...(existsSync(path.join(reportDir, 'conformance.html')) ? { conformance: 'conformance.html' } : {}),
    }),
  );
  return file;
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown for a CI job summary ($GITHUB_STEP_SUMMARY)

const md = (s: unknown): string =>
  esc(s)
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .replace(/([`*_[\]])/g, '\\$1');

/** A short Markdown summary of <reportDir>/results.json: counts per scenario, failures, skip reasons. */
export function markdownSummary(reportDir: string, label: string = reportDir.replace(/\/+$/, '')): string {
  const file = path.join(reportDir, 'results.json');
  if (!existsSync(file)) return `### ⚠️ ${md(label)}: no results.json (the run did not finish)\n\n`;
  const run = readResultsIfAny(reportDir);
  const results = run.results ?? [];
  const c = countResults(results);
  const mark = c.failed > 0 ? '❌' : c.total === 0 ? '⚠️' : '✅';
  const out = [
    `### ${mark} ${md(label)}: ${md(run.provider ?? '?')} run ${md(run.runId ?? '?')}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped${c.flaky ? `, ${c.flaky} flaky` : ''}`,
    '',
    '| scenario | passed | failed | skipped | flaky |',
    '|---|---:|---:|---:|---:|',
  ];
  const names = [...new Set(results.map((r) => r.scenario))];
  for (const n of names) {
    const s = countResults(results.filter((r) => r.scenario === n));
    out.push(`| ${md(n)} | ${s.passed} | ${s.failed} | ${s.skipped} | ${s.flaky} |`);
  }
  const failed = results.filter((r) => r.outcome === 'failed');
  if (failed.length) {
    out.push('', '**Failed**', '');
    for (const r of failed)
      out.push(`- ${md(r.scenario)} \`[${r.id.replace(/`/g, "'")}]\` ${md(r.name.replace(/^\[[^\]]+\]\s*/, ''))}: ${md(r.message ?? 'failed')}`);
  }
  const skipped = results.filter((r) => r.outcome === 'skipped');
  if (skipped.length) {
    out.push('', `<details><summary>${skipped.length} skipped, with the reason</summary>`, '');
    for (const r of skipped) out.push(`- ${md(r.scenario)} \`[${r.id.replace(/`/g, "'")}]\` ${md(r.message ?? 'skipped')}`);
    out.push('', '</details>');
  }
  out.push('', '');
  return out.join('\n');
}
