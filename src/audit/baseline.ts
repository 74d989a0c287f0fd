// --baseline: a saved JSON report whose findings are known and do not count toward the exit code.
import { parseJsonInput, placeOf } from '../config/json-input.js';
import { UsageError } from '../errors.js';
import type { Finding } from '../findings/index.js';

/** The identity of a finding across runs: not its line, which moves as the file is edited. */
export function baselineKey(f: Pick<Finding, 'ruleId' | 'file' | 'pointer'>): string {
  return `${f.ruleId}|${f.file}|${f.pointer ?? ''}`;
}

export async function readBaseline(file: string): Promise<Set<string>> {
  const { readInputText } = await import('../io/read.js');
  const what = `--baseline ${file}`;
  const text = readInputText(file, what);
  return baselineKeys(parseJsonInput(text, what), text, what);
}

/** The keys of a saved report's findings; anything else in their place is one sentence. */
function baselineKeys(data: unknown, text: string, what: string): Set<string> {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const notReport = `${what}: not a JSON report of harden audit --format json`;
  if (!isObject(data)) throw new UsageError(`${notReport} (its top level is ${kindOf(data)}, not an object)`);
  const list = Object.hasOwn(data, 'findings') ? data['findings'] : undefined;
  if (!Array.isArray(list)) throw new UsageError(`${notReport} (it has no "findings" list)`);
  const keys = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const f: unknown = list[i];
    const ok =
      isObject(f) && typeof f['ruleId'] === 'string' && typeof f['file'] === 'string' && (f['pointer'] === undefined || typeof f['pointer'] === 'string');
    if (!ok) {
      const found = isObject(f) ? 'an object without them' : kindOf(f);
      throw new UsageError(
        `${what}:${placeOf(text, ['findings', i])}: findings[${i}] is not a finding of a harden report: expected an object with "ruleId" and "file" strings, found ${found}`,
      );
    }
    keys.add(baselineKey(f as { ruleId: string; file: string; pointer?: string }));
  }
  return keys;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : typeof value === 'boolean' ? 'a boolean' : typeof value;
}

export function markKnown(findings: readonly Finding[], known: ReadonlySet<string>): Finding[] {
  return findings.map((f) => (known.has(baselineKey(f)) ? { ...f, known: true } : f));
}
