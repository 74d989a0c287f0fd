// The environment of compose services that run nanobot, as Compose gives it to the container
// (compose-go's WithServicesEnvironmentResolved): each env_file: in order, read by Compose's own
// dotenv rules with the project's variables, then environment: (a map or a list) over them; a name
// without a value takes the project's variable (the shell's, else the .env beside the first file).
// Each variable keeps its file and line.
import { isAbsolute, join } from 'node:path';
import { parseEnvFile } from '../config/envfile.js';
import { readText } from '../io/read.js';
import { itemOrigin, keyOrigin, loadComposeProject, type ComposeProject, type Origin } from './compose.js';
import type { EnvSource, EnvVarAt } from './env-sources.js';
import { textOf } from '../config/text.js';

export function composeEnvironment(project: ComposeProject): EnvSource[] {
  const out: EnvSource[] = [];
  for (const service of project.services) {
    const source: EnvSource = { kind: 'compose', file: service.file, label: service.name, vars: [], unreadable: [] };
    const value = service.value;
    const raw = value['env_file'];
    const entries = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
    for (const entry of entries) {
      const spec =
        typeof entry === 'string'
          ? { path: entry, required: true }
          : entry && typeof entry === 'object'
            ? (entry as { path?: unknown; required?: unknown })
            : undefined;
      if (!spec || typeof spec.path !== 'string' || spec.path === '') continue;
      // Relative paths are the project directory's (the first file's), as in every merged file.
      const path = isAbsolute(spec.path) ? spec.path : join(project.directory, spec.path);
      const text = readText(path);
      if (text === undefined) {
        if (spec.required !== false && spec.required !== 'false') source.unreadable.push(path);
        continue;
      }
      for (const e of parseEnvFile(text, 'compose', project.variables)) source.vars.push({ ...e, file: path });
    }
    const env = value['environment'];
    const fallback = service.at('environment');
    const where = (o: Origin | undefined) => (o ? { file: o.file, line: o.line } : { file: fallback.file, line: fallback.line });
    const add = (name: string, v: unknown, where: { file: string; line: number }) => {
      // A name without a value: the project's variable, or not set at all.
      const resolved = v === null || v === undefined ? project.variables(name) : textOf(v);
      if (resolved !== undefined) source.vars.push({ name, value: resolved, ...where } satisfies EnvVarAt);
    };
    if (Array.isArray(env)) {
      env.forEach((entry, i) => {
        if (typeof entry !== 'string' && typeof entry !== 'number') return;
        const text = String(entry);
        const eq = text.indexOf('=');
        if (eq === 0) return;
        add(eq < 0 ? text : text.slice(0, eq), eq < 0 ? null : text.slice(eq + 1), where(itemOrigin(env, i)));
      });
    } else if (env && typeof env === 'object') {
      for (const [name, v] of Object.entries(env)) add(name, v, where(keyOrigin(env, name)));
    }
    out.push(source);
  }
  return out;
}

export function readCompose(files: string | readonly string[], env: Readonly<Record<string, string | undefined>>): EnvSource[] {
  const project = loadComposeProject(typeof files === 'string' ? [files] : files, env);
  return composeEnvironment(project);
}
