/** RFC 6901 JSON Pointers. */
export function toPointer(path: readonly (string | number)[]): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function fromPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A dotted path for messages: tools.exec.timeout, channels.telegram.allowFrom[1]. */
export function dotted(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number' || /^\d+$/.test(p)) out += `[${p}]`;
    else out += (out ? '.' : '') + (/^[A-Za-z_$][\w$-]*$/.test(p) ? p : JSON.stringify(p));
  }
  return out;
}
