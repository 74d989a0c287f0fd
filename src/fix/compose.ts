// Fix a compose file in place with the yaml Document API: comments and layout stay, only the
// service's security keys change. A change that could stop the container from starting (cap_drop
// without the capabilities the current image needs) is never made alone.
import { isMap, isScalar, isSeq, YAMLSeq } from 'yaml';
import type { Finding } from '../findings.js';
import { isLoopback, parsePort, parseCompose, type ComposeDoc, type ComposeService } from '../host/compose.js';
import type { Skip } from './plan.js';

export interface ComposeEdit {
  text: string;
  applied: string[];
  skipped: Skip[];
}

function ensureSeq(s: ComposeService, key: string): YAMLSeq {
  const current = s.node.get(key, true);
  if (isSeq(current)) return current;
  const seq = new YAMLSeq();
  if (isScalar(current)) seq.add(current.value);
  s.node.set(key, seq);
  return seq;
}

function has(seq: YAMLSeq, test: (v: string) => boolean): boolean {
  return seq.items.some((i) => isScalar(i) && typeof i.value === 'string' && test(i.value));
}

export function fixComposeDoc(c: ComposeDoc, findings: readonly Finding[], bwrap: boolean): ComposeEdit {
  const applied = new Set<string>();
  const skipped: Skip[] = [];
  for (const f of findings) {
    const s = c.services.find((x) => f.pointer === `/services/${x.name}`);
    if (!s) continue;
    switch (f.ruleId) {
      case 'compose-read-only':
        s.node.set('read_only', true);
        break;
      case 'compose-no-new-privileges': {
        const seq = ensureSeq(s, 'security_opt');
        seq.items = seq.items.filter((i) => !(isScalar(i) && /^no-new-privileges/.test(String(i.value))));
        seq.add('no-new-privileges:true');
        break;
      }
      case 'compose-cap-drop': {
        const drop = new YAMLSeq();
        drop.add('ALL');
        s.node.set('cap_drop', drop);
        const add = ensureSeq(s, 'cap_add');
        add.items = add.items.filter((i) => isScalar(i) && (['CHOWN', 'SETUID', 'SETGID'].includes(String(i.value).toUpperCase().replace(/^CAP_/, '')) || (bwrap && /SYS_ADMIN/.test(String(i.value)))));
        // The current image chowns its data directory and drops to its own user.
        for (const cap of ['CHOWN', 'SETUID', 'SETGID']) if (!has(add, (v) => v.toUpperCase().replace(/^CAP_/, '') === cap)) add.add(cap);
        break;
      }
      case 'compose-tmpfs': {
        const seq = ensureSeq(s, 'tmpfs');
        seq.items = seq.items.filter((i) => !(isScalar(i) && /^\/tmp(:|$)/.test(String(i.value))));
        seq.add('/tmp:noexec,nosuid,size=100m');
        break;
      }
      case 'compose-ports-loopback': {
        const ports = s.node.get('ports', true);
        if (!isSeq(ports)) break;
        ports.items = ports.items.map((item) => {
          if (isMap(item)) {
            if (!isLoopback(String(item.get('host_ip') ?? ''))) item.set('host_ip', '127.0.0.1');
            return item;
          }
          if (!isScalar(item)) return item;
          const p = parsePort(item.value);
          if (!p || isLoopback(p.hostIp)) return item;
          item.value = `127.0.0.1:${p.published ?? p.target}:${String(item.value).split(':').pop()}`;
          return item;
        });
        break;
      }
      case 'compose-privileged':
        s.node.delete('privileged');
        break;
      default:
        skipped.push({ ruleId: f.ruleId, pointer: f.pointer ?? '', why: 'manual', message: `${s.name}: by hand` });
        continue;
    }
    applied.add(f.ruleId);
  }
  return { text: c.doc.toString(), applied: [...applied], skipped };
}

/** Re-parse to check the result is still a compose file with the same services. */
export function sameServices(before: ComposeDoc, afterText: string): boolean {
  const after = parseCompose(before.file, afterText);
  return after.doc.errors.length === 0 && after.services.map((s) => s.name).join() === before.services.map((s) => s.name).join();
}
