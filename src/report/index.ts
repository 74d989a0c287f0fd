import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';
import type { AuditReport, ReportOptions } from './types.js';

export const FORMATS = ['text', 'json', 'sarif', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

export const REPORTERS: Record<Format, (report: AuditReport, options: ReportOptions) => string> = {
  text: renderText,
  json: (report) => renderJson(report),
  sarif: (report) => renderSarif(report),
  junit: (report) => renderJunit(report),
};
