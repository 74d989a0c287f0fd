import type { AuditReport, ReportOptions } from './types.js';

export const FORMATS = ['text', 'json', 'sarif', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

export type Reporter = (report: AuditReport, options: ReportOptions) => string;

/** Each reporter is loaded only when its format is asked for (SARIF alone pulls in node:crypto). */
export async function reporter(format: Format): Promise<Reporter> {
  switch (format) {
    case 'text':
      return (await import('./text.js')).renderText;
    case 'json':
      return (await import('./json.js')).renderJson;
    case 'sarif':
      return (await import('./sarif.js')).renderSarif;
    case 'junit':
      return (await import('./junit.js')).renderJunit;
  }
}
