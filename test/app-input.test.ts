import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../src/errors.ts';
import {
  checkChartArgs,
  classifyApp,
  describeApp,
  objectsFromRendered,
  renderCommand,
  selectStatefulSets,
  tarEntries,
  type AppInput,
  type ChartApp,
} from '../src/app/input.ts';
import { loadProfile, parseProfile } from '../src/app/profile.ts';

const APPS = path.join(import.meta.dirname, 'fixtures', 'apps');
const app = (name: string): string => path.join(APPS, name);
const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'app-input-'));

/** A ustar archive of these files, as `helm package` writes one (without the gzip). */
function tarOf(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const h = Buffer.alloc(512);
    h.write(name, 0, 100);
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** The one-line error of an --app path. */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).exitCode).toBe(2);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('no error');
}

const CHART_YAML = 'apiVersion: v2\nname: kv\nversion: 0.3.1\n';

describe('classifyApp', () => {
  it('a directory of manifests: the tutorial web app, without its profile', () => {
    const a = classifyApp(app('web'));
    expect(a.kind).toBe('manifests');
    if (a.kind !== 'manifests') return;
    expect(a.files).toEqual([path.join(app('web'), 'web.yaml')]);
    expect(a.objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['Service/nginx', 'StatefulSet/web']);
    expect(describeApp(a)).toBe('manifests: 2 object(s) in 1 file(s)');
  });

  it('YAML and JSON manifests together, sorted by file', () => {
    const a = classifyApp(app('kv-parallel'));
    expect(a.kind === 'manifests' && a.objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'Service/kv',
      'StatefulSet/kv',
      'PodDisruptionBudget/kv-pdb',
    ]);
  });

  it('a single manifest file', () => {
    const a = classifyApp(path.join(app('web'), 'web.yaml'));
    expect(a.kind === 'manifests' && a.files).toEqual([path.join(app('web'), 'web.yaml')]);
  });

  it('a kustomization directory, also named by its file', () => {
    const a = classifyApp(app('kustomize'));
    expect(a).toEqual({ kind: 'kustomization', path: app('kustomize'), file: path.join(app('kustomize'), 'kustomization.yaml') });
    expect(classifyApp(path.join(app('kustomize'), 'kustomization.yaml'))).toEqual(a);
    expect(describeApp(a)).toBe(`kustomization: ${path.join(app('kustomize'), 'kustomization.yaml')}`);
  });

  it('a chart directory, also named by its Chart.yaml', () => {
    const a = classifyApp(app('chart'));
    expect(a).toEqual({ kind: 'chart', path: app('chart'), packaged: false, chart: { apiVersion: 'v2', name: 'kv', version: '0.3.1', appVersion: '7.2' } });
    expect(classifyApp(path.join(app('chart'), 'Chart.yaml'))).toEqual(a);
    expect(describeApp(a)).toBe('Helm chart kv 0.3.1');
  });

  it('Chart.yaml wins over a kustomization in the same directory', () => {
    const d = tmp();
    cpSync(app('chart'), d, { recursive: true });
    writeFileSync(path.join(d, 'kustomization.yaml'), 'resources: []\n');
    expect(classifyApp(d).kind).toBe('chart');
  });

  it('a packaged chart (.tgz with <name>/Chart.yaml)', () => {
    const d = tmp();
    const f = path.join(d, 'kv-0.3.1.tgz');
    writeFileSync(f, gzipSync(tarOf({ 'kv/Chart.yaml': CHART_YAML, 'kv/values.yaml': 'replicas: 3\n', 'kv/templates/sts.yaml': 'kind: StatefulSet\n' })));
    const a = classifyApp(f);
    expect(a).toEqual({ kind: 'chart', path: f, packaged: true, chart: { apiVersion: 'v2', name: 'kv', version: '0.3.1' } });
    expect(describeApp(a)).toBe('Helm chart kv 0.3.1 (packaged)');
  });

  it.skipIf(
    !(() => {
      try {
        execFileSync('tar', ['--version'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })(),
  )('a chart packaged by tar, with a long path in it', () => {
    const d = tmp();
    cpSync(app('chart'), path.join(d, 'kv'), { recursive: true });
    const deep = path.join(d, 'kv', 'templates', `${'x'.repeat(90)}`, `${'y'.repeat(90)}`);
    mkdirSync(deep, { recursive: true });
    writeFileSync(path.join(deep, 'note.txt'), 'long\n');
    execFileSync('tar', ['-czf', 'kv.tar.gz', 'kv'], { cwd: d });
    const a = classifyApp(path.join(d, 'kv.tar.gz'));
    expect(a.kind === 'chart' && a.chart.name).toBe('kv');
    const names = [...tarEntries(execFileSync('gzip', ['-dc', path.join(d, 'kv.tar.gz')]))].map((e) => e.name);
    expect(names).toContain(`kv/templates/${'x'.repeat(90)}/${'y'.repeat(90)}/note.txt`);
  });
});

describe('classifyApp: bad inputs are one line, exit 2', () => {
  it('a missing path', () => {
    expect(errorOf(() => classifyApp('/nonexistent/app'))).toBe('--app /nonexistent/app: no such file or directory');
  });

  it('a directory with neither manifests nor a chart', () => {
    const d = tmp();
    writeFileSync(path.join(d, 'notes.txt'), 'hello\n');
    expect(errorOf(() => classifyApp(d))).toBe(
      `--app ${d}: neither manifests nor a chart: no *.yaml, *.yml or *.json manifests, no kustomization.yaml, no Chart.yaml`,
    );
  });

  it('YAML that is not Kubernetes objects', () => {
    expect(errorOf(() => classifyApp(app('not-an-app')))).toBe(
      `--app ${app('not-an-app')}: neither manifests nor a chart: ${path.join(app('not-an-app'), 'settings.yaml')}: a document lacks apiVersion, kind or metadata.name`,
    );
  });

  it('only a profile and comments', () => {
    const d = tmp();
    writeFileSync(path.join(d, 'stateful-e2e.yaml'), 'quorum: 2\n');
    writeFileSync(path.join(d, 'empty.yaml'), '# nothing\n');
    expect(errorOf(() => classifyApp(d))).toBe(`--app ${d}: neither manifests nor a chart: no Kubernetes objects in ${path.join(d, 'empty.yaml')}`);
  });

  it('malformed YAML names the file and line', () => {
    const d = tmp();
    writeFileSync(path.join(d, 'a.yaml'), 'apiVersion: v1\nkind: [Service\n');
    expect(errorOf(() => classifyApp(d))).toMatch(new RegExp(`^--app ${d}: ${d}/a\\.yaml:\\d+: malformed YAML: `));
  });

  it('a file of another kind', () => {
    const d = tmp();
    writeFileSync(path.join(d, 'app.zip'), 'PK');
    expect(errorOf(() => classifyApp(path.join(d, 'app.zip')))).toContain(
      'neither manifests nor a chart: expected a directory, a *.yaml, *.yml or *.json file, or a packaged chart (*.tgz)',
    );
  });

  it('a .tgz that is not gzip, not tar, or has no chart', () => {
    const d = tmp();
    const f = path.join(d, 'x.tgz');
    writeFileSync(f, 'plain text');
    expect(errorOf(() => classifyApp(f))).toMatch(/neither manifests nor a chart: not a gzip archive/);
    writeFileSync(f, gzipSync(Buffer.alloc(700, 7)));
    expect(errorOf(() => classifyApp(f))).toBe(`--app ${f}: neither manifests nor a chart: not a tar archive inside the gzip`);
    writeFileSync(f, gzipSync(tarOf({ 'kv/values.yaml': 'a: 1\n', 'kv/sub/Chart.yaml': CHART_YAML })));
    expect(errorOf(() => classifyApp(f))).toBe(`--app ${f}: neither manifests nor a chart: the archive has no <chart>/Chart.yaml`);
  });

  it('a Chart.yaml that Helm would refuse', () => {
    const d = tmp();
    const chart = (text: string): string => {
      writeFileSync(path.join(d, 'Chart.yaml'), text);
      return errorOf(() => classifyApp(d));
    };
    expect(chart('name: kv\nversion: 1.0.0\n')).toBe(`--app ${d}: ${d}/Chart.yaml: apiVersion must be v2 (or v1), got null`);
    expect(chart('apiVersion: v2\nversion: 1.0.0\n')).toBe(`--app ${d}: ${d}/Chart.yaml: name is required`);
    expect(chart('apiVersion: v2\nname: kv\n')).toBe(`--app ${d}: ${d}/Chart.yaml: version is required`);
    expect(chart('apiVersion: v2\nname: common\nversion: 1.0.0\ntype: library\n')).toBe(
      `--app ${d}: ${d}/Chart.yaml: chart common is a library chart, which cannot be installed`,
    );
    expect(chart('apiVersion: v2\nname: [kv\n')).toMatch(/Chart\.yaml: malformed YAML: /);
  });
});

describe('chart arguments and rendering', () => {
  const chartApp = classifyApp(app('chart')) as ChartApp;

  it('--values and --set only for a chart', () => {
    const web = classifyApp(app('web'));
    expect(errorOf(() => checkChartArgs(web, { values: [path.join(app('chart'), 'values.yaml')], set: [] }))).toBe(
      `--values: only a Helm chart takes values; --app ${app('web')} is plain manifests`,
    );
    expect(errorOf(() => checkChartArgs(classifyApp(app('kustomize')), { values: [], set: ['a=b'] }))).toBe(
      `--set: only a Helm chart takes values; --app ${app('kustomize')} is a kustomization`,
    );
    expect(checkChartArgs(web, { values: [], set: [] })).toEqual({ values: [], set: [] });
  });

  it('checks values files and --set pairs', () => {
    const d = tmp();
    writeFileSync(path.join(d, 'list.yaml'), '- a\n');
    writeFileSync(path.join(d, 'ok.yaml'), 'replicas: 5\n');
    expect(errorOf(() => checkChartArgs(chartApp, { values: ['/nonexistent/v.yaml'], set: [] }))).toBe('--values /nonexistent/v.yaml: no such file');
    expect(errorOf(() => checkChartArgs(chartApp, { values: [path.join(d, 'list.yaml')], set: [] }))).toBe(
      `--values ${path.join(d, 'list.yaml')}: must be a YAML mapping of values`,
    );
    expect(errorOf(() => checkChartArgs(chartApp, { values: [], set: ['replicas'] }))).toBe('--set replicas: expected key=value (or key=value,key2=value2)');
    expect(errorOf(() => checkChartArgs(chartApp, { values: [], set: ['=3'] }))).toContain('--set =3: expected key=value');
    const ok = { values: [path.join(d, 'ok.yaml')], set: ['replicas=5,image=redis:7.4', 'a.b[0]=c'] };
    expect(checkChartArgs(chartApp, ok)).toEqual(ok);
  });

  it('the render command of each kind', () => {
    const opts = { release: 'e2e', namespace: 'app-1', values: ['v1.yaml', 'v2.yaml'], set: ['replicas=5'] };
    expect(renderCommand(classifyApp(app('web')), opts)).toBeUndefined();
    expect(renderCommand(classifyApp(app('kustomize')), opts)).toEqual({ command: 'kubectl', args: ['kustomize', app('kustomize')] });
    expect(renderCommand(chartApp, opts)).toEqual({
      command: 'helm',
      args: ['template', 'e2e', app('chart'), '--namespace', 'app-1', '--skip-tests', '--values', 'v1.yaml', '--values', 'v2.yaml', '--set', 'replicas=5'],
    });
  });

  it('rendered output: objects, or one line when it holds none', () => {
    const objs = objectsFromRendered(chartApp, 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: { name: e2e-kv }\nspec: {}\n');
    expect(objs.map((o) => o.metadata?.name)).toEqual(['e2e-kv']);
    expect(errorOf(() => objectsFromRendered(chartApp, '---\n# Source: kv/templates/none.yaml\n'))).toBe(
      `--app ${app('chart')}: the chart's output: no Kubernetes objects in file`,
    );
  });
});

describe('selectStatefulSets: the profile against the app', () => {
  const objectsOf = (a: AppInput) => (a.kind === 'manifests' ? a.objects : []);
  const web = objectsOf(classifyApp(app('web')));
  const kv = objectsOf(classifyApp(app('kv-parallel')));

  it('without a profile: every StatefulSet', () => {
    expect(selectStatefulSets(app('web'), web).map((s) => s.metadata?.name)).toEqual(['web']);
    expect(selectStatefulSets(app('web'), [...web, ...kv]).map((s) => s.metadata?.name)).toEqual(['web', 'kv']);
  });

  it('the fixtures with their own profiles', () => {
    expect(selectStatefulSets(app('web'), web, loadProfile(path.join(app('web'), 'stateful-e2e.yaml'))).map((s) => s.metadata?.name)).toEqual(['web']);
    expect(selectStatefulSets(app('kv-parallel'), kv, loadProfile(path.join(app('kv-parallel'), 'stateful-e2e.yaml'))).map((s) => s.metadata?.name)).toEqual([
      'kv',
    ]);
  });

  it('a profile naming a StatefulSet the app does not have', () => {
    const p = parseProfile('statefulSets: [web, zk]\n', 'stateful-e2e.yaml');
    expect(errorOf(() => selectStatefulSets(app('web'), [...web, ...kv], p))).toBe(
      "stateful-e2e.yaml: statefulSets[1]: no StatefulSet 'zk' in the app (it has: web, kv)",
    );
  });

  it('a datum container, a named port or a quorum the app does not have', () => {
    const F = 'stateful-e2e.yaml';
    const exec = parseProfile('datum: { exec: { container: redis, write: [w, "{key}", "{value}"], read: [r, "{key}"] } }\n', F);
    expect(errorOf(() => selectStatefulSets(app('web'), web, exec))).toBe(
      `${F}: datum.exec.container: no container 'redis' in StatefulSet web (it has: nginx)`,
    );
    const port = parseProfile('datum: { adapter: redis, port: client }\n', F);
    expect(errorOf(() => selectStatefulSets(app('kv'), kv, port))).toBe(`${F}: datum.port: no container port named 'client' in StatefulSet kv (it has: redis)`);
    expect(selectStatefulSets(app('kv'), kv, parseProfile('datum: { adapter: redis, port: 6380 }\n', F))).toHaveLength(1);
    expect(errorOf(() => selectStatefulSets(app('web'), web, parseProfile('quorum: 3\n', F)))).toBe(
      `${F}: quorum: 3 is more than the 2 replica(s) of StatefulSet web`,
    );
  });

  it('an app without a StatefulSet, or with one declared twice', () => {
    const svc = web.filter((o) => o.kind === 'Service');
    expect(errorOf(() => selectStatefulSets('x', svc))).toBe('--app x: no StatefulSet among its 1 object(s) (Service); nothing to check');
    const sts = web.filter((o) => o.kind === 'StatefulSet');
    expect(errorOf(() => selectStatefulSets('x', [...sts, ...sts]))).toBe("--app x: StatefulSet 'web' is declared twice");
  });
});
