// PEP 440 versions, parsed and ordered as Python's `packaging.version.Version` does (pip and the
// dist-info folder name nanobot's version comes from follow it). The regular expression is the
// spec's own (PEP 440, Appendix B); the ordering is packaging's `_cmpkey`: a dev release sorts
// before its pre-releases, which sort before the release, which sorts before its post-releases;
// trailing zeros of the release do not count (1.0 == 1.0.0); a local label sorts after the same
// version without one. No library fits: @renovatebot/pep440 needs Node 22 from 5.0 on and its 4.x
// leaves out Node 26, and the ordering is one small function tested against packaging itself.

export interface Pep440 {
  epoch: number;
  release: readonly number[];
  pre?: { label: 'a' | 'b' | 'rc'; n: number };
  post?: number;
  dev?: number;
  /** Local label parts: numbers as numbers, letters lower-cased. */
  local?: readonly (number | string)[];
}

const PATTERN = new RegExp(
  '^\\s*v?' +
    '(?:(\\d+)!)?' + // epoch
    '(\\d+(?:\\.\\d+)*)' + // release
    '(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\\d+)?)?' + // pre-release
    '(?:-(\\d+)|[-_.]?(post|rev|r)[-_.]?(\\d+)?)?' + // post-release
    '(?:[-_.]?(dev)[-_.]?(\\d+)?)?' + // dev release
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?' + // local label
    '\\s*$',
  'i',
);

const PRE: Record<string, 'a' | 'b' | 'rc'> = { alpha: 'a', a: 'a', beta: 'b', b: 'b', c: 'rc', pre: 'rc', preview: 'rc', rc: 'rc' };

/** The version, or undefined when the text is not a PEP 440 version. */
export function parsePep440(text: string): Pep440 | undefined {
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const [, epoch, release, preL, preN, postImplicit, postL, postN, devL, devN, local] = m;
  return {
    epoch: epoch === undefined ? 0 : Number(epoch),
    release: release!.split('.').map(Number),
    ...(preL !== undefined ? { pre: { label: PRE[preL.toLowerCase()]!, n: Number(preN ?? 0) } } : {}),
    ...(postImplicit !== undefined ? { post: Number(postImplicit) } : postL !== undefined ? { post: Number(postN ?? 0) } : {}),
    ...(devL !== undefined ? { dev: Number(devN ?? 0) } : {}),
    ...(local !== undefined
      ? {
          local: local
            .toLowerCase()
            .split(/[-_.]/)
            .map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
        }
      : {}),
  };
}

/** The normal form (`1.0a1.post2.dev3+ubuntu.1`), as packaging's str(Version) writes it. */
export function formatPep440(v: Pep440): string {
  let out = (v.epoch !== 0 ? `${v.epoch}!` : '') + v.release.join('.');
  if (v.pre) out += `${v.pre.label}${v.pre.n}`;
  if (v.post !== undefined) out += `.post${v.post}`;
  if (v.dev !== undefined) out += `.dev${v.dev}`;
  if (v.local) out += `+${v.local.join('.')}`;
  return out;
}

const sign = (d: number): number => (d < 0 ? -1 : d > 0 ? 1 : 0);

function compareRelease(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return sign(d);
  }
  return 0;
}

const PRE_RANK = { a: 0, b: 1, rc: 2 } as const;

/** Where the pre-release slot puts a version: a bare dev release first, a final release last. */
function preKey(v: Pep440): [number, number] {
  if (v.pre) return [PRE_RANK[v.pre.label], v.pre.n];
  if (v.post === undefined && v.dev !== undefined) return [-1, 0];
  return [3, 0];
}

function compareLocal(a: Pep440['local'], b: Pep440['local']): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    // A number sorts after any letters; numbers by value, letters as strings.
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return sign(x - y);
    } else if (typeof x === 'number') return 1;
    else if (typeof y === 'number') return -1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return sign(a.length - b.length);
}

/** Negative, zero or positive as `a` is older than, the same as or newer than `b`. */
export function comparePep440(a: Pep440, b: Pep440): number {
  if (a.epoch !== b.epoch) return sign(a.epoch - b.epoch);
  const release = compareRelease(a.release, b.release);
  if (release !== 0) return release;
  const [pa, na] = preKey(a);
  const [pb, nb] = preKey(b);
  if (pa !== pb) return sign(pa - pb);
  if (na !== nb) return sign(na - nb);
  // No post-release sorts before any; no dev release sorts after any.
  const post = (a.post ?? -1) - (b.post ?? -1);
  if (post !== 0) return sign(post);
  const dev = (a.dev ?? Infinity) - (b.dev ?? Infinity);
  if (dev !== 0 && !Number.isNaN(dev)) return sign(dev);
  return compareLocal(a.local, b.local);
}
