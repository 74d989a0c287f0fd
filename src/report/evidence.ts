// What a finding rests on and what to do about it, in words: the text report and the JSON report
// say the same thing, from here.
import { dotted, fromPointer } from '../config/pointer.js';
import { RULES, type Finding, type FixKind } from '../findings/index.js';

/** The sentence saying where the value a finding is about came from. */
export function evidence(f: Finding): string {
  const s = f.source;
  const at = (pointer: string | undefined) => (pointer !== undefined && pointer !== '' ? dotted(fromPointer(pointer)) : 'the file');
  switch (s.kind) {
    case 'file':
      return `written in the file at ${at(s.pointer ?? f.pointer)}`;
    case 'migrated':
      return `written in the old place ${at(s.pointer)}, which nanobot moves to ${at(f.pointer)}`;
    case 'inherited':
      return `inherited from ${at(s.pointer)}`;
    case 'env':
      return `the environment variable ${s.name ?? '(unnamed)'}${s.file ? `, set in ${s.file}${s.line ? `:${s.line}` : ''}` : ", in harden's own environment"}`;
    case 'default':
      return `nanobot's default: the file does not set ${at(f.pointer)}`;
    case 'host':
      return `seen on this host${f.file ? ` (${f.file})` : ''}`;
    case 'history':
      return `written in nanobot's history at ${f.file}${f.line !== undefined ? `:${f.line}` : ''}`;
  }
}

export interface Remediation {
  /** How harden fixes it: set a value, ask the owner, chmod, or only by hand. */
  kind: FixKind;
  /** Whether `harden fix` can do it. */
  automatic: boolean;
  text: string;
}

export function remediation(f: Finding): Remediation | undefined {
  const fix = RULES[f.ruleId]?.fix;
  return fix ? { kind: fix.kind, automatic: f.fixable, text: fix.text } : undefined;
}
