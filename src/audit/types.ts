// What an audit takes and gives: shared by the audit, fix and wizard pipelines.
import type { Effective } from '../config/model.js';
import type { ParsedConfig } from '../config/parse.js';
import type { NanobotInfo } from '../config/version.js';
import type { Finding, Profile } from '../findings/index.js';
import type { DeploymentContext } from '../host/probe.js';
import type { Runtime, Whereabouts } from '../host/where.js';

export interface AuditOptions {
  configs: string[];
  profile: Profile;
  /** Skip everything outside the file's content (modes, files beside it, version detection). */
  noHost: boolean;
  nanobotVersion?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** systemd units to read instead of looking for the ones that start nanobot. */
  units?: readonly string[];
  /** Compose files whose nanobot service's environment applies (--compose). */
  compose?: readonly string[];
  /** Where /proc is; tests point it at a fixture tree. */
  procRoot?: string;
  /** The root /.dockerenv is looked for under; tests point it at a temp dir. */
  hostRoot?: string;
  /** Where nanobot runs, when the owner says (fix --runtime); else harden looks for evidence. */
  runtime?: Runtime;
  /** A waiver file besides the .harden.json next to each config (--waivers). */
  waivers?: string;
  /** A saved JSON report: findings already in it do not count toward the exit code (--baseline). */
  baseline?: string;
  /** Today, for waiver expiry (tests fix it). */
  today?: string;
  /** A config that cannot be audited is an entry in `errors`, even when it is the only one (machine-readable reports). */
  collectErrors?: boolean;
  /** Machine-wide probe answers shared by the configs of one run (set by audit()). */
  session?: HostSession;
}

export interface HostSession {
  run: DeploymentContext['run'];
  cache: Map<string, Promise<unknown>>;
}

export interface FileAudit {
  file: string;
  parsed: ParsedConfig;
  bytes: Uint8Array;
  effective: Effective;
  findings: Finding[];
  /** Secret values in this file and in NANOBOT_* variables, for redaction; never printed. */
  secrets: string[];
  /** Where nanobot runs, from evidence about nanobot (absent under --no-host). */
  runs?: Whereabouts;
}

export interface AuditResult {
  profile: Profile;
  nanobot: NanobotInfo;
  files: FileAudit[];
  findings: Finding[];
  /** Configs that could not be audited (several configs: the others still are). */
  errors: { file: string; message: string }[];
  /** Every secret value seen, for the output redactor; never printed. */
  secrets: string[];
}
