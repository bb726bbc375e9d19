/**
 * Renders the HTML report of the recorded kwok run in headless Chromium (Debian package `chromium`): a screenshot
 * (non-blank PNG of the requested size) and the DOM after layout, with the laid-out boxes of the timeline lanes
 * measured by a probe script that is appended to a copy of the report (the report itself has no script).
 * Skipped, with the reason, when /usr/bin/chromium (or $CHROMIUM) is missing.
 * Set REPORT_SCREENSHOT=/path/shot.png to keep the screenshot.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHtmlReport } from '../../src/reporting/html.ts';

const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const haveChromium = existsSync(chromium);
const SKIP_REASON = `${chromium} is missing: install it with \`apt-get install -y --no-install-recommends chromium\` to render the report`;
const WIDTH = 1400;
const HEIGHT = 2000;

let dir = '';
let reportFile = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'report-render-'));
  cpSync(path.join(import.meta.dirname, '..', 'fixtures', 'report'), path.join(dir, 'report'), { recursive: true });
  reportFile = writeHtmlReport(path.join(dir, 'report'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One headless Chromium invocation with a fresh profile; no network beyond file://. */
function runChromium(mode: string[], url: string): { status: number | null; stdout: string; stderr: string } {
  const profile = mkdtempSync(path.join(dir, 'profile-'));
  const r = spawnSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      `--window-size=${WIDTH},${HEIGHT}`,
      ...mode,
      url,
    ],
    { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HOME: profile } },
  );
  rmSync(profile, { recursive: true, force: true });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const PROBE = `<script>
addEventListener('load', () => {
  const box = (el) => { const b = el.getBoundingClientRect(); return { x: b.x, y: b.y, width: b.width, height: b.height }; };
  const out = {
    viewport: innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    svgs: [...document.querySelectorAll('svg.timeline-svg')].map((s) => ({ scenario: s.dataset.scenario, box: box(s), container: box(s.parentElement) })),
    lanes: [...document.querySelectorAll('svg.timeline-svg g.lane')].map((g) => ({
      pod: g.dataset.pod,
      box: box(g),
      segments: [...g.querySelectorAll('g.segment')].map((s) => ({ uid: s.dataset.uid, box: box(s) })),
      states: [...new Set([...g.querySelectorAll('rect.state')].map((r) => r.dataset.state))],
    })),
    marks: document.querySelectorAll('svg.timeline-svg g.mark').length,
    rows: document.querySelectorAll('table.asserts tbody tr').length,
  };
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.append(pre);
});
</script>`;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface Probe {
  viewport: number;
  scrollWidth: number;
  svgs: Array<{ scenario: string; box: Box; container: Box }>;
  lanes: Array<{ pod: string; box: Box; segments: Array<{ uid: string; box: Box }>; states: string[] }>;
  marks: number;
  rows: number;
}

describe('HTML report in headless Chromium', () => {
  it('lays out one SVG lane per pod web-0..web-4, in order, as a staircase, without horizontal scrolling', (ctx) => {
    if (!haveChromium) {
      console.warn(`skipped: ${SKIP_REASON}`);
      ctx.skip(SKIP_REASON);
    }
    const probeFile = path.join(dir, 'report', 'probe.html');
    writeFileSync(probeFile, readFileSync(reportFile, 'utf8').replace('</body>', `${PROBE}</body>`));
    const r = runChromium(['--dump-dom'], pathToFileURL(probeFile).href);
    expect(r.status, r.stderr).toBe(0);
    const dom = r.stdout;
    for (let i = 0; i < 5; i++) expect(dom).toContain(`<g class="lane" data-pod="web-${i}">`);
    const json = /<pre id="probe">([^<]*)<\/pre>/.exec(dom)?.[1];
    expect(json, 'probe output in the dumped DOM').toBeDefined();
    const probe = JSON.parse(
      json!
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
    ) as Probe;

    expect(probe.svgs).toHaveLength(1);
    expect(probe.lanes.map((l) => l.pod)).toEqual(['web-0', 'web-1', 'web-2', 'web-3', 'web-4']);
    for (let i = 0; i < probe.lanes.length; i++) {
      const l = probe.lanes[i]!;
      expect(l.box.width, `${l.pod} drawn`).toBeGreaterThan(50);
      expect(l.box.height).toBeGreaterThan(15);
      expect(l.states).toEqual(expect.arrayContaining(['pending', 'ready', 'terminating']));
      if (i > 0) {
        const prev = probe.lanes[i - 1]!;
        expect(l.box.y, `${l.pod} below ${prev.pod}`).toBeGreaterThan(prev.box.y);
        // OrderedReady: each pod's first segment starts visibly to the right of its predecessor's
        expect(l.segments[0]!.box.x - prev.segments[0]!.box.x, `${l.pod} starts after ${prev.pod}`).toBeGreaterThan(10);
      }
    }
    expect(probe.lanes.map((l) => l.segments.length)).toEqual([5, 7, 5, 2, 1]);
    // Parallel: the last web-0 and web-1 segments start at the same x (within 3 px)
    expect(Math.abs(probe.lanes[0]!.segments.at(-1)!.box.x - probe.lanes[1]!.segments.at(-1)!.box.x)).toBeLessThan(3);
    expect(probe.marks).toBe(19);
    expect(probe.rows).toBe(26);
    // The timeline fits its container at 1400 px: nothing to scroll
    const svg = probe.svgs[0]!;
    expect(svg.box.width).toBeLessThanOrEqual(svg.container.width);
    expect(probe.scrollWidth).toBeLessThanOrEqual(probe.viewport);
  });

  it('takes a non-blank screenshot of the requested size', (ctx) => {
    if (!haveChromium) {
      console.warn(`skipped: ${SKIP_REASON}`);
      ctx.skip(SKIP_REASON);
    }
    const png = path.join(dir, 'report.png');
    const r = runChromium([`--screenshot=${png}`], pathToFileURL(reportFile).href);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(png), 'screenshot written').toBe(true);
    const buf = readFileSync(png);
    expect(buf.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(buf.readUInt32BE(16)).toBe(WIDTH); // IHDR width
    expect(buf.readUInt32BE(20)).toBe(HEIGHT); // IHDR height
    // a blank or error page compresses to a few kB; the report is far larger
    expect(statSync(png).size).toBeGreaterThan(60_000);
    if (process.env.REPORT_SCREENSHOT) copyFileSync(png, process.env.REPORT_SCREENSHOT);
  });
});
