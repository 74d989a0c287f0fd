// Values read from a file (anything JSON or YAML can hold) turned into text: for a message, and
// as Python's str() turns them, where harden follows what nanobot does with one.

/** Text for a message: a string as it is, other JSON as JSON (never "[object Object]"). */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value) ?? '';
  return String(value);
}

/**
 * Python's str() of a value json.load returned: a str as it is, everything else as its repr
 * (True, None, ['a', 1], {'k': 'v'}). A float written with a fraction of zero (1.0) is read by
 * JSON.parse as the integer 1, so it comes out as 1 where Python says 1.0.
 */
export function pythonStr(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isNaN(value) ? 'nan' : value === Infinity ? 'inf' : value === -Infinity ? '-inf' : String(value);
  if (typeof value === 'string') return pythonQuote(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${pythonQuote(k)}: ${pythonRepr(v)}`)
      .join(', ')}}`;
  // No JSON or YAML value is left (a bigint, a symbol or a function).
  return typeof value === 'bigint' ? value.toString() : '';
}

/** repr() of a str: single quotes unless the text has one and no double quote. */
function pythonQuote(text: string): string {
  const q = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === q) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}
