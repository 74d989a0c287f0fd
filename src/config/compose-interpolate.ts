// Compose's interpolation of `$VAR` and `${...}` in a value, as compose-go's template package does
// it (docs.docker.com/reference/compose-file/interpolation): `${VAR:-default}` and `${VAR-default}`
// (unset or empty, unset only), `${VAR:?err}` and `${VAR?err}` (an error), `${VAR:+alt}` and
// `${VAR+alt}`, defaults that are themselves interpolated, `$$` for a dollar sign. A `$` that
// starts no name or brace stays as it is (`$5`); `${` that starts no valid expression is an error,
// as is a required variable that is missing. Pure: the variables come through `lookup`.

export type Lookup = (name: string) => string | undefined;

export interface Interpolated {
  value: string;
  /**
   * Compose refuses the file with this sentence (a required variable, an invalid template). It
   * names the variable, never the value, the template or the message written after `?`, which
   * may hold what a variable holds.
   */
  error?: string;
  /** Variables that were used while unset (Compose warns and uses ""). */
  unset: string[];
}

const NAME = /^[_a-z][_a-z0-9]*/i;
const OPERATORS = [':?', '?', ':-', '-', ':+', '+'] as const;

/** The index after the brace that closes the one opened at `open` (compose counts every brace). */
function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '}') {
      depth--;
      if (depth === 0) return i;
    } else if (s[i] === '{') {
      depth++;
      i++;
    }
  }
  return -1;
}

class TemplateError extends Error {}

function substitute(template: string, lookup: Lookup, unset: Set<string>, depth: number): string {
  if (depth > 50) throw new TemplateError('an invalid ${...} expression (nested too deep)');
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    const next = template[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
      continue;
    }
    if (next === '{') {
      const close = closingBrace(template, dollar + 1);
      // compose's pattern then needs a name and a closing brace: anything else is invalid.
      const name = NAME.exec(template.slice(dollar + 2))?.[0];
      if (close < 0 || !name) throw new TemplateError('an invalid ${...} expression');
      const inner = template.slice(dollar + 2, close);
      out += braced(inner, name, lookup, unset, depth);
      i = close + 1;
      continue;
    }
    const name = NAME.exec(template.slice(dollar + 1))?.[0];
    if (!name) {
      out += '$';
      i = dollar + 1;
      continue;
    }
    const value = lookup(name);
    if (value === undefined) unset.add(name);
    out += value ?? '';
    i = dollar + 1 + name.length;
  }
  return out;
}

function braced(inner: string, name: string, lookup: Lookup, unset: Set<string>, depth: number): string {
  if (inner === name) {
    const value = lookup(name);
    if (value === undefined) unset.add(name);
    return value ?? '';
  }
  // The expression is the name and one operator right after it; compose takes the operator that
  // occurs first in the expression, so `${A-b:-c}` defaults to "b:-c".
  const rest = inner.slice(name.length);
  const op = OPERATORS.map((o) => ({ o, at: inner.indexOf(o) }))
    .filter((x) => x.at >= 0)
    .sort((a, b) => a.at - b.at)[0];
  if (!op || !rest.startsWith(op.o)) throw new TemplateError(`an invalid \${${name}...} expression`);
  const arg = inner.slice(name.length + op.o.length);
  const value = lookup(name);
  const present = op.o.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
  switch (op.o) {
    case ':-':
    case '-':
      return present ? value! : substitute(arg, lookup, unset, depth + 1);
    case ':+':
    case '+':
      return present ? substitute(arg, lookup, unset, depth + 1) : (value ?? '');
    default: {
      if (present) return value!;
      substitute(arg, lookup, unset, depth + 1);
      throw new TemplateError(`required variable ${name} is missing a value`);
    }
  }
}

export function interpolate(template: string, lookup: Lookup): Interpolated {
  const unset = new Set<string>();
  try {
    return { value: substitute(template, lookup, unset, 0), unset: [...unset] };
  } catch (error) {
    if (error instanceof TemplateError) return { value: '', error: error.message, unset: [...unset] };
    throw error;
  }
}
