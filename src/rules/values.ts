import { redactShapes } from '../config/credentials.js';
import { isSecretPath, redactValue, REDACTED } from '../config/secrets.js';
import { textOf } from '../config/text.js';

/** A value for a message: JSON, shortened, and never a secret. */
export function showValue(path: readonly string[], value: unknown): string {
  if (isSecretPath(path)) return REDACTED;
  if (value === undefined) return '(absent)';
  // A section may hold tokens: name its size, never its content.
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return `{…${Object.keys(value).length} keys}`;
  if (Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object')) return `[…${value.length} items]`;
  // Credentials inside a value go before it is shortened: half a password is past any redactor.
  if (Array.isArray(value) && value.length > 5) {
    const head = (redactValue(path, value.slice(0, 3)) as unknown[]).map((v) => JSON.stringify(v)).join(', ');
    return shorten(`[${head}, … ${value.length - 3} more]`);
  }
  return shorten(JSON.stringify(typeof value === 'string' ? redactShapes(value) : redactValue(path, value)) ?? textOf(value));
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
