// Reporters for `harden fix`: text (the diff, what changed, where the backup is, what is left)
// and JSON (schemas/fix-report.schema.json). Pure: data in, string out; the CLI redacts.
import { canonicalKey } from '../config/layout.js';
import { fromPointer } from '../config/pointer.js';
import { isSecretPath, redactValue, REDACTED } from '../config/secrets.js';
import { atOrAbove, SEVERITIES, type Finding, type Severity } from '../findings/index.js';
import type { ComposeFixResult, FixResult } from '../fix/index.js';
import type { Patch } from '../fix/edit.js';
import { configDiff, unifiedDiff } from './diff.js';
import { styler } from './style.js';
import { displayPath } from './text.js';
import { TOOL, publicFinding } from './json.js';

export interface FixReportOptions {
  color: boolean;
  cwd: string;
  quiet: boolean;
  failOn: Severity;
}

const octal = (mode: number): string => mode.toString(8).padStart(3, '0');

function safeValue(pointer: string, value: unknown): unknown {
  const path = fromPointer(pointer).map((seg) => canonicalKey(seg).key);
  // A removed duplicate can be a whole section: its secrets by field and by shape.
  return isSecretPath(path) ? REDACTED : redactValue(path, value);
}

function publicPatch(p: Patch): Record<string, unknown> {
  const base = { ruleId: p.ruleId, op: p.op, pointer: p.pointer, before: safeValue(p.pointer, p.before) };
  return p.op === 'set' ? { ...base, after: safeValue(p.pointer, p.after) } : base;
}

/** Counted findings (not waived) at or above --fail-on: what makes the exit code 1. */
const failing = (findings: readonly Finding[], failOn: Severity): boolean => findings.some((f) => !f.waived && atOrAbove(f.severity, failOn));

function composeJson(c: ComposeFixResult, failOn: Severity): Record<string, unknown> {
  return {
    file: c.file,
    changed: c.changed,
    backup: c.backup ?? null,
    applied: c.applied,
    skipped: c.skipped,
    remaining: c.remaining.map(publicFinding),
    failed: failing(c.remaining, failOn),
  };
}

type FileError = { file: string; message: string };

/** The fix report version: 2 since it is one object for any number of configs. */
export const FIX_REPORT_SCHEMA_VERSION = 2;

export interface FixRun {
  results: readonly FixResult[];
  compose: readonly ComposeFixResult[];
  errors: readonly FileError[];
  nanobot: FixResult['nanobot'];
  dryRun: boolean;
}

/** One object whatever happened: a result per config fixed, an error per config that could not be. */
export function renderFixJson(run: FixRun, options: FixReportOptions): string {
  const one = (r: FixResult) => ({
    file: r.file,
    changed: r.changed,
    backup: r.backup ?? null,
    applied: r.applied.map(publicPatch),
    modes: r.modes.map((m) => ({ ruleId: m.ruleId, path: m.path, from: octal(m.from), to: octal(m.to) })),
    skipped: r.skipped,
    envFile: r.envFile ?? null,
    warnings: r.warnings,
    notes: r.notes,
    remaining: r.remaining.map(publicFinding),
    failed: failing(r.remaining, options.failOn),
  });
  const body = {
    schemaVersion: FIX_REPORT_SCHEMA_VERSION,
    tool: TOOL,
    nanobot: run.nanobot,
    dryRun: run.dryRun,
    results: run.results.map(one),
    compose: run.compose.map((c) => composeJson(c, options.failOn)),
    errors: run.errors,
    failed: failing([...run.results.flatMap((r) => r.remaining), ...run.compose.flatMap((c) => c.remaining)], options.failOn),
  };
  return JSON.stringify(body, null, 2) + '\n';
}

function counts(findings: readonly Finding[]): string {
  return SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}

export function renderFixText(
  results: readonly FixResult[],
  options: FixReportOptions,
  compose: readonly ComposeFixResult[] = [],
  errors: readonly FileError[] = [],
): string {
  const s = styler(options.color);
  const out: string[] = [];
  const summaryLine = () => {
    const total = results.length + errors.length;
    if (total < 2) return;
    const changed = results.filter((r) => r.changed).length;
    const failing = results.filter((r) => r.remaining.some((f) => atOrAbove(f.severity, options.failOn))).length;
    out.push(
      s(
        'bold',
        `${total} configs: ${changed} ${results[0]?.dryRun ? 'would change' : 'changed'}, ${results.length - changed} unchanged, ${errors.length} failed (left as they were); ${failing} with findings at or above ${options.failOn}`,
      ),
    );
    for (const e of errors) out.push(s('red', `  not changed: ${e.message}`));
  };
  for (const c of compose) {
    out.push(s('bold', `harden fix${c.dryRun ? ' --dry-run' : ''}: ${displayPath(c.file, options.cwd)}`) + (c.dryRun ? ' (nothing written)' : ''));
    if (!c.changed) out.push('  nothing to change' + (c.dryRun ? '' : '; no backup made'));
    else if (options.quiet) out.push(`  ${c.dryRun ? 'would change' : 'changed'}: ${c.applied.join(', ')}`);
    else out.push(unifiedDiff(displayPath(c.file, options.cwd), c.shown.before, c.shown.after, s).trimEnd());
    if (c.backup) out.push(`  backup: ${c.backup}`, `  undo with: harden restore --config ${c.file}`);
    for (const f of c.remaining) out.push(`  ${c.dryRun ? 'would remain' : 'remaining'}: ${f.ruleId}: ${f.message}`);
    out.push('');
  }
  for (const r of results) {
    const shown = displayPath(r.file, options.cwd);
    const verb = r.dryRun ? 'would change' : 'changed';
    out.push(s('bold', `harden fix${r.dryRun ? ' --dry-run' : ''}: ${shown}`) + (r.dryRun ? ' (nothing written)' : ''));
    if (!r.changed) out.push('  nothing to change' + (r.dryRun ? '' : '; no backup made'));
    if (r.changed && options.quiet && r.applied.length > 0) {
      const rules = [...new Set(r.applied.map((a) => a.ruleId))];
      out.push(`  ${verb}: ${r.applied.length} setting${r.applied.length === 1 ? '' : 's'} (${rules.join(', ')})`);
    } else if (r.changed) {
      const diff = configDiff(shown, r.before, r.after, s, r.roots);
      if (diff) out.push(diff.trimEnd());
    }
    for (const m of r.modes) out.push(`  ${verb} mode of ${displayPath(m.path, options.cwd)}: ${octal(m.from)} -> ${octal(m.to)}`);
    if (r.envFile) {
      const e = r.envFile;
      out.push(`  ${r.dryRun ? 'would add' : 'added'} to ${e.created ? 'the new ' : ''}env file ${e.path} (mode 600; values not shown): ${e.added.join(', ')}`);
      out.push(
        `  nanobot refuses to start while a variable it references is unset: load the file with EnvironmentFile=${e.path} in its systemd unit, --env-file ${e.path} for docker run, env_file: in compose, or, for a nanobot started from a shell, \`set -a; . ${e.path}; set +a\` before starting it`,
      );
    }
    for (const w of r.warnings) out.push(s('yellow', `  warning: ${w}`));
    if (r.changed && !options.quiet) for (const n of r.notes) out.push(`  note: ${n}`);
    if (r.backup) {
      out.push(`  backup: ${r.backup}`);
      out.push(`  undo with: harden restore --config ${r.file}`);
    }
    if (r.skipped.length > 0 && options.quiet) out.push(s('yellow', `  not changed: ${r.skipped.length} (run without --quiet to see why)`));
    else if (r.skipped.length > 0) {
      out.push(s('yellow', `  not changed (${r.skipped.length}):`));
      for (const k of r.skipped) out.push(`    ${k.ruleId}: ${k.message}`);
    }
    const failing = r.remaining.filter((f) => atOrAbove(f.severity, options.failOn));
    if (r.remaining.length > 0) {
      out.push(
        `  ${r.dryRun ? 'would remain' : 'remaining'}: ${r.remaining.length} finding${r.remaining.length === 1 ? '' : 's'} (${counts(r.remaining)})${failing.length > 0 ? '; run harden audit for details' : ''}`,
      );
    } else {
      out.push(s('green', `  no findings ${r.dryRun ? 'would remain' : 'remain'}`));
    }
    if (r.changed && !r.dryRun && r.applied.length > 0)
      out.push('  restart nanobot (the gateway, and `nanobot serve` if you use it) so that it reads the new settings');
    out.push('');
  }
  summaryLine();
  return out.join('\n');
}
