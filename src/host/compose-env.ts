// The environment of compose services that run nanobot: environment: and env_file:, with ${VAR}
// from the .env beside the compose file. Each variable keeps its file and line.
import { dirname, isAbsolute, join } from 'node:path';
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import { loadCompose } from './compose.js';
import { envFileVars, type EnvSource } from './env-sources.js';

/** Compose's ${VAR}, ${VAR:-default} and $VAR, from .env and the process environment. */
function interpolate(value: string, vars: ReadonlyMap<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, a?: string, def?: string, b?: string) => {
    if (whole === '$$') return '$';
    const name = a ?? b ?? '';
    return vars.get(name) ?? def ?? '';
  });
}

export async function readCompose(file: string, env: Readonly<Record<string, string | undefined>>): Promise<EnvSource[]> {
  const c = await loadCompose(file);
  if (!c) return [];
  const dir = dirname(file);
  const dotenv = new Map((await envFileVars(join(dir, '.env')))?.map((v) => [v.name, v.value]) ?? []);
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !dotenv.has(k)) dotenv.set(k, v);
  const lineOf = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? c.counter.linePos(range[0]).line : 1;
  };
  const out: EnvSource[] = [];
  for (const service of c.services) {
    const source: EnvSource = { kind: 'compose', file, label: service.name, vars: [], unreadable: [] };
    const envFiles = service.node.get('env_file', true);
    const paths = isSeq(envFiles) ? envFiles.items : envFiles ? [envFiles] : [];
    for (const p of paths) {
      const raw = isScalar(p) ? String(p.value) : isMap(p) ? String(p.get('path')) : undefined;
      if (!raw) continue;
      const path = isAbsolute(raw) ? raw : join(dir, interpolate(raw, dotenv));
      const vars = await envFileVars(path);
      if (vars) for (const v of vars) source.vars.push(v);
      else if (!(isMap(p) && p.get('required') === false)) source.unreadable.push(path);
    }
    const environment = service.node.get('environment', true);
    if (isMap(environment)) {
      for (const pair of environment.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const value = isScalar(pair.value) ? pair.value.value : null;
        if (value === null || value === undefined) continue;
        source.vars.push({ name: String(pair.key.value), value: interpolate(String(value), dotenv), file, line: lineOf(pair.key) });
      }
    } else if (isSeq(environment)) {
      for (const entry of environment.items) {
        if (!isScalar(entry)) continue;
        const text = String(entry.value);
        const eq = text.indexOf('=');
        if (eq > 0) source.vars.push({ name: text.slice(0, eq), value: interpolate(text.slice(eq + 1), dotenv), file, line: lineOf(entry) });
      }
    }
    out.push(source);
  }
  return out;
}
