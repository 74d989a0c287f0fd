// fix --compose over generated compose files: octal modes, `1e3`, long lines, comments with odd
// spacing, anchors and merge keys, flow and block styles, numbers and maps among the ports. The
// edits stay inside the nanobot service, every line outside them is kept byte for byte, and the
// result, parsed by yaml itself, is the document the rules intend.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, parseDocument, type YAMLMap } from 'yaml';
import { parseVersion, traitsFor } from '../../../src/config/version.js';
import { composeFindings, composeProject, isLoopback, parsePort } from '../../../src/host/compose.js';
import { fixComposeProject } from '../../../src/fix/compose.js';
import { textOf } from '../../../src/config/text.js';

const traits = traitsFor(parseVersion('0.3.0')!, 'flag');
const NEEDED = ['CHOWN', 'SETUID', 'SETGID'];
const TMP = '/tmp:noexec,nosuid,size=100m';

type Style = 'block' | 'flow';
const comment = fc.constantFrom('', '', ' # why', '   #   spaced  comment', '\t# tab');
const list = (key: string, items: readonly string[], style: Style, c: string, indent = '    ') =>
  style === 'flow' || items.length === 0 ? [`${indent}${key}: [${items.join(', ')}]${c}`] : [`${indent}${key}:${c}`, ...items.map((i) => `${indent}  - ${i}`)];

const service = fc.record({
  base: fc.boolean(),
  readOnly: fc.constantFrom(undefined, 'true', 'false', '"false"', 'no'),
  securityOpt: fc.option(
    fc.tuple(
      fc.subarray(['no-new-privileges:false', 'label:disable', '"no-new-privileges"', 'apparmor:docker-default']),
      fc.constantFrom<Style>('block', 'flow'),
    ),
    { nil: undefined },
  ),
  capDrop: fc.option(fc.tuple(fc.subarray(['NET_RAW', 'ALL', 'MKNOD']), fc.constantFrom<Style>('block', 'flow')), { nil: undefined }),
  capAdd: fc.option(fc.tuple(fc.subarray(['CHOWN', 'SYS_ADMIN', 'NET_ADMIN', 'CAP_SETUID', 'SETGID']), fc.constantFrom<Style>('block', 'flow')), {
    nil: undefined,
  }),
  tmpfs: fc.constantFrom(undefined, 'scalar-run', 'scalar-tmp', 'list-tmp', 'list-run', 'flow-both'),
  ports: fc.option(
    fc.tuple(
      fc.subarray([
        '"8080:80"',
        '"127.0.0.1:18790:18790"',
        '8765',
        "'0.0.0.0:9000:9000'",
        '{ target: 80, published: "8081" }',
        '"${BIND:-0.0.0.0}:18790:18790"',
      ]),
      fc.constantFrom<Style>('block', 'flow'),
    ),
    { nil: undefined },
  ),
  privileged: fc.constantFrom(undefined, 'true', 'false'),
  order: fc.integer({ min: 0, max: 1000 }),
  comments: fc.array(comment, { minLength: 12, maxLength: 12 }),
  long: fc.boolean(),
  crlf: fc.boolean(),
  /** cap_add is anchored and the db service uses it through an alias. */
  sharedCaps: fc.boolean(),
});

type Service = typeof service extends fc.Arbitrary<infer T> ? T : never;

function composeText(s: Service): string {
  const c = (i: number) => s.comments[i]!;
  const keys: string[][] = [];
  keys.push([`    image: ghcr.io/hkuds/nanobot:latest${c(0)}`]);
  if (s.base) keys.push([`    <<: *defaults${c(1)}`]);
  if (s.readOnly !== undefined) keys.push([`    read_only: ${s.readOnly}${c(2)}`]);
  if (s.securityOpt) keys.push(list('security_opt', s.securityOpt[0], s.securityOpt[1], c(3)));
  if (s.capDrop) keys.push(list('cap_drop', s.capDrop[0], s.capDrop[1], c(4)));
  if (s.capAdd) keys.push(s.sharedCaps ? [`    cap_add: &caps [${s.capAdd[0].join(', ')}]${c(5)}`] : list('cap_add', s.capAdd[0], s.capAdd[1], c(5)));
  if (s.tmpfs === 'scalar-run') keys.push([`    tmpfs: /run${c(6)}`]);
  if (s.tmpfs === 'scalar-tmp') keys.push([`    tmpfs: /tmp${c(6)}`]);
  if (s.tmpfs === 'list-tmp') keys.push(list('tmpfs', ['/tmp:size=10m'], 'block', c(6)));
  if (s.tmpfs === 'list-run') keys.push(list('tmpfs', ['/run'], 'block', c(6)));
  if (s.tmpfs === 'flow-both') keys.push(list('tmpfs', ['/run', '"/tmp:exec"'], 'flow', c(6)));
  if (s.ports) keys.push(list('ports', s.ports[0], s.ports[0].some((p) => p.startsWith('{')) ? 'block' : s.ports[1], c(7)));
  if (s.privileged !== undefined) keys.push([`    privileged: ${s.privileged}${c(8)}`]);
  keys.push(['    secrets:', '      - source: token', '        target: token', `        mode: 0440${c(9)}`]);
  keys.push([
    '    environment:',
    `      RATE: 1e3${c(10)}`,
    '      UMASK: 0777',
    `      NOTE: ${s.long ? 'x'.repeat(150) + ' words after a long run that a writer would fold' : 'short'}`,
  ]);
  // Keys in a random order (the image first keeps the service recognisable).
  const [first, ...rest] = keys;
  const rotated = rest.length > 0 ? [...rest.slice(s.order % rest.length), ...rest.slice(0, s.order % rest.length)] : [];
  return [
    `# generated${c(11)}`,
    'x-defaults: &defaults',
    '  restart: unless-stopped',
    '  logging: { driver: json-file, options: { max-size: "10m" } }',
    'secrets:',
    '  token:',
    '    file: ./token.txt   # mode 0440 below',
    'services:',
    '  nanobot:',
    ...first!,
    ...rotated.flat(),
    '  db:',
    '    image: postgres:16',
    '    privileged: true',
    '    ports: ["5432:5432"]',
    ...(s.capAdd && s.sharedCaps ? ['    cap_add: *caps'] : []),
    '',
  ].join(s.crlf ? '\r\n' : '\n');
}

const toList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

function loopback(raw: unknown): unknown {
  if (raw && typeof raw === 'object') return isLoopback(textOf((raw as Record<string, unknown>)['host_ip'] ?? '')) ? raw : { ...raw, host_ip: '127.0.0.1' };
  const p = parsePort(typeof raw === 'number' ? raw : String(raw).replace('${BIND:-0.0.0.0}', '0.0.0.0'));
  if (!p || isLoopback(p.hostIp)) return raw;
  const text = String(raw);
  const parts = text.startsWith('${') ? ['${BIND:-0.0.0.0}', ...text.slice('${BIND:-0.0.0.0}:'.length).split(':')] : text.split(':');
  return parts.length === 1 ? `127.0.0.1::${parts[0]}` : parts.length === 2 ? `127.0.0.1:${parts[0]}:${parts[1]}` : `127.0.0.1:${parts[1]}:${parts[2]}`;
}

/** What each applied rule means for the service, on yaml's own reading of the file. */
function intended(before: Record<string, unknown>, applied: readonly string[]): Record<string, unknown> {
  const s = structuredClone(before);
  for (const rule of applied) {
    if (rule === 'compose-read-only') s['read_only'] = true;
    if (rule === 'compose-no-new-privileges')
      s['security_opt'] = [...toList(s['security_opt']).filter((o) => !/^no-new-privileges/.test(String(o))), 'no-new-privileges:true'];
    if (rule === 'compose-cap-drop') {
      if (!toList(s['cap_drop']).includes('ALL')) s['cap_drop'] = [...toList(s['cap_drop']), 'ALL'];
      const kept = toList(s['cap_add']).filter((x) => NEEDED.includes(String(x).replace(/^CAP_/, '')));
      s['cap_add'] = [...kept, ...NEEDED.filter((n) => !kept.some((k) => String(k).replace(/^CAP_/, '') === n))];
    }
    if (rule === 'compose-tmpfs') s['tmpfs'] = [...toList(s['tmpfs']).filter((t) => !/^\/tmp(:|$)/.test(String(t))), TMP];
    if (rule === 'compose-ports-loopback') s['ports'] = toList(s['ports']).map(loopback);
    if (rule === 'compose-privileged') delete s['privileged'];
  }
  return s;
}

describe('fix --compose edits bytes, not the document', () => {
  it('changes only the lines it must, and the result parses to the intended document', () => {
    fc.assert(
      fc.property(service, (s) => {
        const before = composeText(s);
        const project = composeProject([{ file: '/p/compose.yml', text: before }], { BIND: '' });
        const findings = composeFindings(project, { traits, bwrap: false });
        const edit = fixComposeProject(project, findings, false);
        const [result] = edit.files;
        const after = result!.after;

        // 1. The edits lie inside the nanobot service's own lines.
        const doc = parseDocument(before);
        const services = doc.get('services') as YAMLMap;
        const nanobot = services.items.find((p) => (p.key as { value: string }).value === 'nanobot')!;
        const db = services.items.find((p) => (p.key as { value: string }).value === 'db')!;
        const start = (nanobot.key as { range: number[] }).range[0]!;
        const end = (db.key as { range: number[] }).range[0]!;
        for (const e of result!.edits) {
          expect(e.offset).toBeGreaterThanOrEqual(start);
          expect(e.offset + e.length).toBeLessThanOrEqual(end);
        }

        // 2. Every line no edit touches is in the result, unchanged and in order.
        const touched = (lineStart: number, lineEnd: number) =>
          result!.edits.some((e) => (e.length > 0 ? e.offset < lineEnd && e.offset + e.length > lineStart : e.offset > lineStart && e.offset < lineEnd));
        const keptLines: string[] = [];
        let at = 0;
        for (const line of before.split('\n')) {
          if (!touched(at, at + line.length)) keptLines.push(line);
          at += line.length + 1;
        }
        const afterLines = after.split('\n');
        let k = 0;
        for (const line of afterLines) if (k < keptLines.length && line === keptLines[k]) k++;
        expect(k).toBe(keptLines.length);
        expect(after).toContain('        mode: 0440');
        expect(after).toContain('RATE: 1e3');

        // 3. yaml's own reading of the result is the intended document.
        const js = (text: string) => parseDocument(text, { merge: true }).toJS() as Record<string, Record<string, Record<string, unknown>>>;
        const want = js(before);
        want['services']!['nanobot'] = intended(want['services']!['nanobot']!, edit.applied);
        const got = js(after);
        if (edit.applied.includes('compose-privileged') && got['services']!['nanobot']!['privileged'] === false)
          delete got['services']!['nanobot']!['privileged'];
        expect(got).toEqual(want);

        // 4. What was applied is fixed, the rest is named, and a second run changes nothing.
        const again = composeProject([{ file: '/p/compose.yml', text: after }], { BIND: '' });
        const left = composeFindings(again, { traits, bwrap: false }).map((f) => f.ruleId);
        for (const rule of edit.applied) expect(left).not.toContain(rule);
        const fixable = ['compose-read-only', 'compose-no-new-privileges', 'compose-cap-drop', 'compose-tmpfs', 'compose-ports-loopback', 'compose-privileged'];
        for (const f of findings) if (fixable.includes(f.ruleId)) expect([...edit.applied, ...edit.skipped.map((x) => x.ruleId)]).toContain(f.ruleId);
        // Only a change to a list other services share through an alias is left to the user.
        expect(edit.skipped.map((x) => x.ruleId)).toEqual(s.sharedCaps && edit.skipped.length > 0 ? ['compose-cap-drop'] : []);
        if (s.crlf) expect(after.replace(/\r\n/g, '')).not.toContain('\n');
        const second = fixComposeProject(again, composeFindings(again, { traits, bwrap: false }), false);
        expect(second.files[0]!.after).toBe(after);
        expect(isMap(nanobot.value)).toBe(true);
      }),
      { numRuns: Number(process.env.RUNS ?? 400) },
    );
  });
});
