// Findings about the environment: variables in systemd units, compose files and env files that
// decide a setting (or would, the day the file's key goes), and ${NAME} references.
import { effectiveConfig } from '../config/model.js';
import type { JsonNode, ParsedConfig } from '../config/parse.js';
import { dotted, fromPointer, toPointer } from '../config/pointer.js';
import { isSecretPath, REDACTED } from '../config/secrets.js';
import { redactShapes } from '../config/credentials.js';
import type { VersionTraits } from '../config/version.js';
import { makeFinding, type Finding, type Profile } from '../findings/index.js';
import type { EnvSource } from '../host/env-sources.js';
import { locate, nodePosition } from './locate.js';
import { schemaFindings } from './schema-rules.js';

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * A variable's value, for a message: never a secret, and never a whole section given as JSON
 * (NANOBOT_TOOLS='{...}' can carry a token next to the setting it weakens).
 */
function shownValue(path: readonly string[], raw: string): string {
  if (isSecretPath(path)) return REDACTED;
  const t = raw.trim();
  if (t.startsWith('{') || t.startsWith('[')) return '(a JSON section)';
  // Credentials inside (a proxy URL's password) go before it is shortened.
  const safe = redactShapes(raw);
  return JSON.stringify(safe.length > 60 ? `${safe.slice(0, 57)}...` : safe);
}

function where(v: { file: string; line: number }): string {
  return `${v.file}:${v.line}`;
}

/** What each source's NANOBOT_* variables do to this config, on their own. */
export function overrideFindings(parsed: ParsedConfig, profile: Profile, traits: VersionTraits, sources: readonly EnvSource[]): Finding[] {
  const out: Finding[] = [];
  for (const source of sources) {
    const vars = source.vars.filter((v) => /^nanobot_/i.test(v.name));
    if (vars.length === 0) continue;
    const env = Object.fromEntries(vars.map((v) => [v.name, v.value]));
    const eff = effectiveConfig(parsed, { traits, env });
    const at = (name: string) => vars.filter((v) => v.name === name).pop()!;
    for (const f of schemaFindings(parsed, eff, profile, traits)) {
      if (f.source.kind !== 'env' || !f.source.name) continue;
      const v = at(f.source.name);
      const path = f.path ?? [];
      const finding = makeFinding(
        {
          ruleId: 'env-override',
          file: v.file,
          args: { name: v.name, value: shownValue(path, v.value), where: where(v), path: dotted(path), weakness: f.message.replace(/^.*?[:;] /, '') },
          pointer: f.pointer ?? toPointer(path),
          line: v.line,
          column: 1,
          source: { kind: 'env', name: v.name, file: v.file, line: v.line },
          path,
        },
        traits,
      );
      out.push({ ...finding, severity: f.severity, weakens: f.ruleId });
    }
    for (const setting of eff.env.filter((s) => !s.effective)) {
      const v = at(setting.name);
      const loc = locate(parsed, eff, setting.path);
      out.push(
        makeFinding(
          {
            ruleId: 'env-override-shadowed',
            file: v.file,
            args: { name: v.name, where: where(v), path: dotted(fromPointer(loc.pointer)) },
            pointer: loc.pointer,
            line: v.line,
            column: 1,
            source: { kind: 'env', name: v.name, file: v.file, line: v.line },
            path: setting.path,
          },
          traits,
        ),
      );
    }
  }
  return out;
}

/** ${NAME} references: literal before 0.1.5; unset anywhere harden can see from 0.1.5 on. */
export function referenceFindings(parsed: ParsedConfig, traits: VersionTraits, known: ReadonlySet<string> | undefined): Finding[] {
  const out: Finding[] = [];
  // One path stack, pushed and popped: a large config has hundreds of thousands of nodes.
  const filePath: string[] = [];
  const visit = (node: JsonNode): void => {
    if (node.type === 'object') {
      for (const prop of node.children ?? []) {
        const value = prop.children?.[1];
        if (!value) continue;
        filePath.push(String(prop.children?.[0]?.value));
        visit(value);
        filePath.pop();
      }
    } else if (node.type === 'array') {
      (node.children ?? []).forEach((c, i) => {
        filePath.push(String(i));
        visit(c);
        filePath.pop();
      });
    } else if (node.type === 'string' && (node.value as string).includes('${')) {
      const names = [...String(node.value).matchAll(REF)].map((m) => m[1]!);
      if (names.length === 0) return;
      const pointer = toPointer(filePath);
      const pos = nodePosition(parsed, node);
      if (!traits.envReferences) {
        out.push(
          makeFinding(
            {
              ruleId: 'env-reference-unsupported',
              file: parsed.file,
              args: { path: dotted(filePath), value: JSON.stringify(node.value), name: names[0]! },
              pointer,
              ...pos,
              source: { kind: 'file', pointer },
            },
            traits,
          ),
        );
        return;
      }
      if (!known) return;
      for (const name of names.filter((n) => !known.has(n))) {
        out.push(
          makeFinding(
            { ruleId: 'env-reference-unset', file: parsed.file, args: { path: dotted(filePath), name }, pointer, ...pos, source: { kind: 'file', pointer } },
            traits,
          ),
        );
      }
    }
  };
  visit(parsed.root);
  return out;
}
