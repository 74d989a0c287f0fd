// The reports the programmatic API returns (src/index.ts), written out as the published schemas
// describe them: schemas/report.schema.json and schemas/fix-report.schema.json. These are the
// public types of the package (dist/index.d.ts), so they name nothing internal; the tests check
// what the API returns against the schemas.

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type Profile = 'baseline' | 'strict';
/** Where nanobot runs: in a container its binds must stay on 0.0.0.0. */
export type Runtime = 'auto' | 'host' | 'container';

/** The nanobot version the findings assume, and how it was learned. */
export interface NanobotInfo {
  version: string;
  source: 'flag' | 'detected' | 'assumed';
  /** The release whose data describes this version (the newest at or below it). */
  release?: string;
  /** The version is newer (or older) than every release harden has data for: checked as `release`. */
  outside?: 'newer' | 'older';
  /** Why the version is assumed: not looked up (noHost), no nanobot on PATH, or its version unreadable. */
  assumedWhy?: 'not-looked-up' | 'not-found' | 'unreadable';
}

/** A finding, as the JSON report writes it (secrets redacted). */
export interface Finding {
  ruleId: string;
  severity: Severity;
  title: string;
  message: string;
  /** Absolute path of the config file. */
  file: string;
  /** RFC 6901 pointer to the key as the file spells it, or to where it belongs; absent for findings about the host. */
  pointer?: string;
  line?: number;
  column?: number;
  fixable: boolean;
  /** Where the effective value came from. */
  source: {
    kind: 'file' | 'env' | 'default' | 'migrated' | 'inherited' | 'host';
    /** The environment variable, for kind env. */
    name?: string;
    /** The unit, compose or env file that sets the variable. */
    file?: string;
    line?: number;
    /** Where the file writes it, for kind file, migrated and inherited. */
    pointer?: string;
  };
  /** What the finding rests on, in words. */
  evidence: string;
  /** What to do about it; `automatic` when fix() can do it. */
  remediation?: { kind: 'set' | 'ask' | 'manual' | 'chmod'; automatic: boolean; text: string };
  /** Accepted by a waiver: it does not count. */
  waived?: { reason: string; expires: string };
  /** In the baseline report: it does not count. */
  known?: true;
}

/** A config that could not be audited or fixed, with the sentence why. */
export interface FileError {
  file: string;
  message: string;
}

export interface Summary {
  total: number;
  bySeverity: Record<Severity, number>;
  fixable: number;
  /** Accepted by a waiver, or already in the --baseline report: they do not count. */
  waived: number;
  known: number;
  failOn: Severity;
  /** True when a counted finding is at or above failOn: the exit code is 1. */
  failed: boolean;
  /**
   * 0-100: 100 less the weight of every counted finding (waived and baseline ones never count),
   * per config (its own findings and those of the deployment around it: compose files, the host);
   * the report's is the mean of the configs', so a fleet can be ranked. null when no config could
   * be audited: a config harden could not read has no score.
   */
  score: number | null;
  /** The score of each config that was audited. */
  scores: Record<string, number>;
}

/** What audit() returns: the object `harden audit --format json` prints (schemas/report.schema.json). */
export interface AuditReport {
  schemaVersion: 1;
  tool: { name: 'nanobot-harden'; version: string };
  profile: Profile;
  nanobot: NanobotInfo;
  files: string[];
  findings: Finding[];
  /** Where nanobot runs with each config, and why harden thinks so; absent with noHost. */
  runs?: { file: string; where: 'container' | 'host' | 'unknown'; evidence: string }[];
  /** Configs that could not be audited (among several; a single one throws instead). */
  errors?: FileError[];
  summary: Summary;
}

/** A change fix() left for a person, and why. */
export interface Skipped {
  ruleId: string;
  pointer?: string;
  why: 'needs-answer' | 'manual' | 'lockout' | 'conflict';
  message: string;
}

/** One config: what was (or, in a dry run, would be) changed, and what is left. */
export interface FixResult {
  file: string;
  /** The file or a mode was (or would be) changed. */
  changed: boolean;
  /** The backup taken before writing; null when nothing was written. */
  backup: string | null;
  /** The edits, with the values before and after (secrets redacted). */
  applied: { ruleId: string; op: 'set' | 'remove'; pointer: string; before: unknown; after?: unknown }[];
  /** File modes changed, in octal ("644" to "600"). */
  modes: { ruleId: string; path: string; from: string; to: string }[];
  skipped: Skipped[];
  /** With secretsToEnv: the env file that received the secrets (names only). */
  envFile: { path: string; added: string[]; created: boolean } | null;
  warnings: string[];
  /** Why a change was made that no finding names. */
  notes?: string[];
  remaining: Finding[];
  /** A remaining finding is at or above failOn. */
  failed: boolean;
}

/** A compose file fixed in the same run (the compose option). */
export interface ComposeFixResult {
  file: string;
  changed: boolean;
  backup: string | null;
  applied: string[];
  skipped: Skipped[];
  remaining: Finding[];
  failed: boolean;
}

/** What fix() returns: the object `harden fix --yes --format json` prints (schemas/fix-report.schema.json). */
export interface FixReport {
  schemaVersion: 2;
  tool: { name: 'nanobot-harden'; version: string };
  nanobot: NanobotInfo;
  dryRun: boolean;
  results: FixResult[];
  compose: ComposeFixResult[];
  /** Configs (or compose files) that could not be fixed and were left as they were. */
  errors: FileError[];
  /** A remaining finding is at or above failOn (the CLI exits 1). */
  failed: boolean;
}
