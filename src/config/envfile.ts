// KEY=value files as systemd's EnvironmentFile= and Docker's --env-file both read them, and
// compose's .env. Parsing keeps line numbers (findings name them); rendering only appends, so an
// existing file is merged, never clobbered.

export interface EnvEntry {
  name: string;
  value: string;
  line: number;
}

/** Parse KEY=value lines; comments, blank lines and `export ` prefixes are allowed. */
export function parseEnvFile(text: string): EnvEntry[] {
  const out: EnvEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) return;
    let value = m[2]!;
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2]!;
    out.push({ name: m[1]!, value, line: i + 1 });
  });
  return out;
}

/**
 * A value both readers take literally: Docker's --env-file does no unquoting and systemd's
 * EnvironmentFile does, so only values that need none of it are safe in both.
 */
export function envSafeValue(value: string): boolean {
  return value !== '' && !/[\r\n\\"'`]/.test(value) && value.trim() === value && !value.startsWith('#');
}

/** The file with `additions` appended after what is already there. */
export function appendEnv(existing: string, additions: readonly { name: string; value: string }[], comment: string): string {
  if (additions.length === 0) return existing;
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  const head = existing === '' || existing.endsWith('\n') ? existing : existing + eol;
  return head + [`# ${comment}`, ...additions.map((a) => `${a.name}=${a.value}`)].join(eol) + eol;
}
