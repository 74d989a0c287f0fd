// Findings that say what nanobot does with the file as a whole: refuse to start (the audit turns
// these into exit 2), run on its defaults without a word (<= 0.2.1), or leave a channel section
// out. Each names the value that causes it, where it is, and nanobot's own source line.
import type { Effective, IdleChannel, LoadCause, LoadIssue, Origin } from '../config/model.js';
import type { JsonNode, ParsedConfig } from '../config/parse.js';
import { dotted, fromPointer, toPointer } from '../config/pointer.js';
import type { VersionTraits } from '../config/version.js';
import { makeFinding, type Finding } from '../findings/index.js';
import { locate, nodePosition } from './locate.js';
import { showValue } from './values.js';
import { nearest } from '../config/nearest.js';

interface Place {
  path: string;
  pointer: string;
  line: number;
  column: number;
  /** The value's own node when the file has it (else its nearest written ancestor's is not kept). */
  node?: JsonNode;
}

/** Where an issue's value is written: its own node when the file has it, else its nearest written ancestor. */
function placeOf(parsed: ParsedConfig, origin: Origin, rest: readonly string[], path: readonly string[]): Place {
  if (origin.kind === 'file' || origin.kind === 'migrated' || origin.kind === 'inherited') {
    let node: JsonNode | undefined = origin.node;
    const filePath = fromPointer(origin.pointer);
    let consumed = 0;
    for (const seg of rest) {
      if (node?.type === 'array' && /^\d+$/.test(seg) && node.children?.[Number(seg)]) {
        node = node.children[Number(seg)];
        filePath.push(seg);
        consumed++;
      } else break;
    }
    const written = [...filePath, ...rest.slice(consumed)];
    const at = node ?? origin.node;
    return { path: dotted(written), pointer: toPointer(written), ...nodePosition(parsed, at), ...(consumed === rest.length ? { node: at } : {}) };
  }
  return { path: dotted(path), pointer: toPointer(path), line: 1, column: 1 };
}

/**
 * A rejected value, for a message. Numbers, booleans and null are shown; a string only where the
 * issue is about what it says (a choice, a bind address), never where only its type is wrong: a
 * string in the wrong field may be anything, a token pasted into it too.
 */
function valueText(place: Place, path: readonly string[], kind: LoadIssue['kind'] | 'type' = 'type'): string {
  const node = place.node;
  if (!node) return '';
  if (node.type === 'array') return (node.children ?? []).length === 0 ? '[]' : `a list of ${(node.children ?? []).length}`;
  if (node.type === 'object') return (node.children ?? []).length === 0 ? '{}' : 'an object';
  if (node.type === 'string') return kind === 'enum' || kind === 'validator' || kind === 'pattern' ? showValue(path, node.value) : 'a string';
  if (typeof node.value === 'number' && !Number.isFinite(node.value)) return String(node.value);
  return showValue(path, node.value);
}

/** One sentence on what the value is and what nanobot wants instead. */
function issueText(parsed: ParsedConfig, issue: LoadIssue): { place: Place; what: string } {
  const place = placeOf(parsed, issue.origin, issue.rest, issue.path);
  const from = issue.env ? ` (from the environment variable ${issue.env})` : '';
  if (issue.kind === 'extra') {
    const key = issue.path[issue.path.length - 1] ?? '';
    return {
      place,
      what:
        issue.path.length === 1
          ? `the top-level key ${JSON.stringify(fromPointer(place.pointer).pop() ?? key)}${from} is not a section nanobot knows`
          : `${place.path}${from} is not a setting nanobot accepts here`,
    };
  }
  if (issue.kind === 'required') return { place, what: `${place.path} is missing, and nanobot requires it` };
  // A value from the environment has no node in the file: name the variable, never its value.
  if (issue.origin.kind === 'env' || !place.node) return { place, what: `${place.path}${from} must be ${issue.expected}` };
  return { place, what: `${place.path} is ${valueText(place, issue.path, issue.kind)}${from}, but nanobot needs ${issue.expected}` };
}

/** What a cause is, where, and nanobot's source line for the step that fails. */
export function describeCause(parsed: ParsedConfig, eff: Effective, cause: LoadCause): { place: Place; what: string } {
  const r = eff.release;
  switch (cause.kind) {
    case 'invalid':
      return issueText(parsed, cause.issue);
    case 'env-json':
      return {
        place: { path: dotted(cause.path), pointer: toPointer(cause.path), line: 1, column: 1 },
        what: `the environment variable ${cause.name} is not JSON, but ${dotted(cause.path)} is a list or section that pydantic-settings decodes as JSON (a SettingsError)`,
      };
    case 'migrate': {
      const place = placeOf(parsed, cause.origin, [], cause.path);
      return {
        place,
        what: `${place.path} is ${valueText(place, cause.path)}, not an object, and nanobot's _migrate_config fails on it (${r.loader.migrate ?? 'nanobot/config/loader.py'})`,
      };
    }
    case 'unset-variable': {
      const place = placeOf(parsed, cause.origin, cause.rest, cause.path);
      return { place, what: `${place.path} refers to \${${cause.name}}, which is not set` };
    }
  }
}

function sourceNote(src: string | null, release: string): string {
  return src ? ` (${release} ${src})` : '';
}

/** The findings of the release's verdict on the file. */
export function loadFindings(parsed: ParsedConfig, eff: Effective, traits: VersionTraits): Finding[] {
  const out: Finding[] = [];
  const r = eff.release;
  const { load } = eff;
  const v = `nanobot ${traits.version.text}`;
  if (load.status === 'refuse' || load.status === 'crash') {
    for (const cause of load.causes) {
      const { place, what } = describeCause(parsed, eff, cause);
      const src =
        cause.kind === 'unset-variable'
          ? r.interpolation.source
          : cause.kind === 'migrate'
            ? r.loader.migrate
            : cause.kind === 'env-json'
              ? r.env.source
              : (r.loader.raiseSource ?? r.loader.source);
      const outcome = load.status === 'crash' ? 'stops with a traceback and does not start' : 'refuses to start';
      out.push(
        makeFinding(
          {
            ruleId: 'nanobot-will-not-start',
            file: parsed.file,
            args: { reason: `${what}: ${v} ${outcome}${sourceNote(src, r.name)}` },
            pointer: place.pointer,
            line: place.line,
            column: place.column,
            source: sourceOf(cause),
            path: cause.kind === 'invalid' ? cause.issue.path : cause.path,
          },
          traits,
        ),
      );
    }
    return out;
  }
  if (load.status === 'fallback') {
    for (const cause of load.causes) {
      const { place, what } = describeCause(parsed, eff, cause);
      out.push(
        makeFinding(
          {
            ruleId: 'nanobot-runs-on-defaults',
            file: parsed.file,
            args: { reason: what, src: sourceNote(r.loader.fallbackSource ?? r.loader.source, r.name), gatewayHost: traits.gatewayDefaultHost },
            pointer: place.pointer,
            line: place.line,
            column: place.column,
            source: sourceOf(cause),
            path: cause.kind === 'invalid' ? cause.issue.path : cause.path,
          },
          traits,
        ),
      );
    }
  }
  if (load.gatewayExit) {
    const path = load.gatewayExit.path;
    const where = locate(parsed, eff, path);
    out.push(
      makeFinding(
        {
          ruleId: 'nanobot-will-not-start',
          file: parsed.file,
          args: {
            reason: `${dotted(fromPointer(where.pointer))} is empty${where.sourceText}: the gateway of ${v} exits at start ("${load.gatewayExit.channel}" has empty allowFrom)${sourceNote(r.allowFrom.startupCheck, r.name)}`,
          },
          pointer: where.pointer,
          line: where.line,
          column: where.column,
          source: where.source,
          path,
        },
        traits,
      ),
    );
  }
  for (const idle of load.idle) out.push(...idleFindings(parsed, eff, traits, idle));
  return out;
}

function sourceOf(cause: LoadCause): Finding['source'] {
  if (cause.kind === 'env-json') return { kind: 'env', name: cause.name };
  const origin = cause.kind === 'invalid' ? cause.issue.origin : cause.origin;
  if (origin.kind === 'env') return { kind: 'env', name: origin.name };
  if (origin.kind === 'file' || origin.kind === 'migrated' || origin.kind === 'inherited') return { kind: origin.kind, pointer: origin.pointer };
  return { kind: 'default' };
}

function idleFindings(parsed: ParsedConfig, eff: Effective, traits: VersionTraits, idle: IdleChannel): Finding[] {
  const where = locate(parsed, eff, idle.path);
  const v = `nanobot ${traits.version.text}`;
  if (idle.why === 'unknown') {
    // A near-miss of a channel name is unknown-key's ("did you mean telegram?").
    if (nearest(idle.name, eff.release.channels.names) !== undefined) return [];
    if (where.source.kind !== 'file') return [];
    return [
      makeFinding(
        {
          ruleId: 'channel-ignored',
          file: parsed.file,
          args: {
            path: dotted(fromPointer(where.pointer)),
            reason: `${v} has no channel of that name (its channels: ${eff.release.channels.names.join(', ')}); it ignores the section, allow list and all, unless a plugin of that name is installed`,
          },
          pointer: where.pointer,
          line: where.line,
          column: where.column,
          source: where.source,
          path: idle.path,
        },
        traits,
      ),
    ];
  }
  if (!idle.enabled) return [];
  let reason: string;
  let place = { pointer: where.pointer, line: where.line, column: where.column, path: dotted(fromPointer(where.pointer)) };
  if (idle.why === 'invalid' && idle.issue) {
    const t = issueText(parsed, idle.issue);
    reason = `${t.what}, so ${v} leaves the channel out ("${idle.name} channel not available") and runs the others`;
    place = { pointer: t.place.pointer, line: t.place.line, column: t.place.column, path: t.place.path };
  } else {
    reason = `the section is not an object, so ${v} starts no ${idle.name} channel`;
  }
  return [
    makeFinding(
      {
        ruleId: 'channel-not-started',
        file: parsed.file,
        args: { path: place.path, reason },
        pointer: place.pointer,
        line: place.line,
        column: place.column,
        source: where.source,
        path: idle.issue?.path ?? idle.path,
      },
      traits,
    ),
  ];
}
