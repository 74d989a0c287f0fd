// Which nanobot is installed. The cheap way first: find the `nanobot` script on PATH, follow its
// shebang to the Python environment and read the package's dist-info folder name. Only when that
// fails is `nanobot --version` run (through execa, loaded lazily: it costs a Python start).
import { access, constants, readdir, readFile, realpath } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { parseVersion, type NanobotVersion } from '../config/version.js';

/** Distribution names nanobot has been published under (dist-info folders normalise to _). */
const DIST_PREFIXES = ['nanobot_ai-', 'nanobot-'];

async function findOnPath(command: string, pathVar: string | undefined): Promise<string | undefined> {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Version from the dist-info folder of the Python environment a script runs in. */
async function versionFromMetadata(script: string): Promise<NanobotVersion | undefined> {
  const head = (await readFile(script, 'utf8').catch(() => '')).slice(0, 512);
  const shebang = /^#!\s*(\S+)/.exec(head)?.[1];
  const roots = new Set<string>();
  const real = await realpath(script).catch(() => script);
  roots.add(dirname(dirname(real)));
  if (shebang && shebang.startsWith('/')) roots.add(dirname(dirname(shebang)));
  for (const root of roots) {
    const lib = join(root, 'lib');
    const pythons = await readdir(lib).catch(() => [] as string[]);
    for (const py of pythons.filter((p) => p.startsWith('python'))) {
      for (const sub of ['site-packages', 'dist-packages']) {
        const dir = join(lib, py, sub);
        const entries = await readdir(dir).catch(() => [] as string[]);
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

/** The installed nanobot's version, or undefined when no nanobot can be found. */
export async function detectNanobotVersion(env: Readonly<Record<string, string | undefined>>): Promise<NanobotVersion | undefined> {
  const script = await findOnPath('nanobot', env['PATH']);
  if (!script) return undefined;
  return (await versionFromMetadata(script)) ?? (await versionFromCommand(script).catch(() => undefined));
}
