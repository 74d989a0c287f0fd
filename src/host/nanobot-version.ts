// Which nanobot is installed. The cheap way first: find the `nanobot` script on PATH, follow its
// shebang to the Python environment and read the package's dist-info folder name. Only when that
// fails is `nanobot --version` run (through execa, loaded lazily: it costs a Python start).
// Synchronous small reads (src/io/read.ts): fs/promises would load readline and streams on every
// host audit.
import { dirname, join } from 'node:path';
import { findExecutable, listDir, readText, realpathOf } from '../io/read.js';
import { parseVersion, type NanobotVersion } from '../config/version.js';

/** Distribution names nanobot has been published under (dist-info folders normalise to _). */
const DIST_PREFIXES = ['nanobot_ai-', 'nanobot-'];

/** Version from the dist-info folder of the Python environment a script runs in. */
function versionFromMetadata(script: string): NanobotVersion | undefined {
  const head = (readText(script) ?? '').slice(0, 512);
  const shebang = /^#!\s*(\S+)/.exec(head)?.[1];
  const roots = new Set<string>();
  const real = realpathOf(script) ?? script;
  roots.add(dirname(dirname(real)));
  if (shebang && shebang.startsWith('/')) roots.add(dirname(dirname(shebang)));
  for (const root of roots) {
    const lib = join(root, 'lib');
    const pythons = listDir(lib) ?? [];
    for (const py of pythons.filter((p) => p.startsWith('python'))) {
      for (const sub of ['site-packages', 'dist-packages']) {
        const dir = join(lib, py, sub);
        const entries = listDir(dir) ?? [];
        for (const entry of entries) {
          const prefix = DIST_PREFIXES.find((p) => entry.toLowerCase().startsWith(p));
          if (!prefix || !entry.endsWith('.dist-info')) continue;
          const version = parseVersion(entry.slice(prefix.length, -'.dist-info'.length));
          if (version) return version;
        }
      }
    }
  }
  return undefined;
}

async function versionFromCommand(script: string): Promise<NanobotVersion | undefined> {
  const { execa } = await import('execa');
  const result = await execa(script, ['--version'], { timeout: 10_000, reject: false, stdin: 'ignore' });
  // The banner is "🐈 nanobot v0.2.1": the first word that is a whole PEP 440 version (a
  // pre-release, post-release or local label included).
  for (const word of `${result.stdout} ${result.stderr}`.split(/\s+/)) {
    const version = /\d/.test(word) ? parseVersion(word) : undefined;
    if (version) return version;
  }
  return undefined;
}

/** The `nanobot` command on PATH, if there is one. */
export function nanobotOnPath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return findExecutable('nanobot', env['PATH']);
}

/** The installed nanobot's version, or undefined when no nanobot can be found (or its version read). */
export async function detectNanobotVersion(env: Readonly<Record<string, string | undefined>>): Promise<NanobotVersion | undefined> {
  const script = findExecutable('nanobot', env['PATH']);
  if (!script) return undefined;
  return versionFromMetadata(script) ?? (await versionFromCommand(script).catch(() => undefined));
}
