import type { NanobotInfo } from '../config/version.js';
import type { Finding, Profile } from '../findings/index.js';
import type { Summary } from './summary.js';

/** What every reporter gets: plain data, already free of secrets. */
export interface AuditReport {
  profile: Profile;
  /** The version checked for, how it was learned, and the release whose data describes it. */
  nanobot: NanobotInfo;
  files: string[];
  findings: Finding[];
  summary: Summary;
  /** Where nanobot runs with each config, and the evidence (absent under --no-host). */
  runs?: { file: string; where: 'container' | 'host' | 'unknown'; evidence: string }[];
  /** Configs that could not be audited, with the sentence why (several configs in one run). */
  errors?: { file: string; message: string }[];
}

export interface ReportOptions {
  color: boolean;
  /** Directory that file names are shown relative to in text output. */
  cwd: string;
  /** SARIF: the directory file locations are relative to (%SRCROOT%); the cwd when absent. */
  sarifRoot?: string;
}
