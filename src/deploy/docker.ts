// What `harden docker` prints: a hardened `docker run` command and the same as a compose service,
// for this config's real paths. Every word of the command is quoted by shell-quote and the compose
// service is written by yaml itself, so a path with a space, a quote, a colon or a `#` stays one
// word and one value (building them from strings broke both). Pure: facts in, text out.
import { quote } from 'shell-quote';
import { stringify } from 'yaml';
import { bwrap, inside, portUses, ports, type DeploymentFacts } from './print.js';

const HOME = '/home/nanobot/.nanobot';

/** Words for a POSIX shell: as they are when nothing in them is special, else quoted by shell-quote. */
const words = (ws: readonly string[]) => ws.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : quote([w]))).join(' ');

/** One line of a command, continued with a backslash. */
const line = (ws: readonly string[], indent = '  ') => `${indent}${words(ws)} \\`;

function volumes(f: DeploymentFacts): string[] {
  return [`${f.dataDir}:${HOME}`, `${f.config}:${HOME}/config.json:ro`, ...(inside(f.dataDir, f.workspace) ? [] : [`${f.workspace}:${HOME}/workspace`])];
}

/** What the container needs said once, in either form (as comment lines, without the marker). */
function preamble(f: DeploymentFacts): string[] {
  return [
    "A hardened nanobot container for this config. nanobot's current image starts as root,",
    `chowns ${HOME} and drops to its own user: after cap_drop ALL it needs CHOWN, SETUID and`,
    'SETGID back. (Images up to 0.1.4.post6 ran as root and used /root/.nanobot, as the guide shows.)',
    'Inside the container nanobot must listen on 0.0.0.0 (gateway.host); the ports are published',
    'on 127.0.0.1 only, on the host:',
    ...portUses(f).map((p) => `  ${p.port}: ${p.why}`),
    ...(bwrap(f) ? ['tools.exec.sandbox is bwrap: it needs SYS_ADMIN and unconfined profiles, at the cost of container isolation.'] : []),
  ];
}

/** A shell script (`harden docker > run.sh && sh run.sh`): refuses an insecure config, then starts the container. */
export function dockerText(f: DeploymentFacts): string {
  const out = [
    '#!/bin/sh',
    ...preamble(f).map((l) => `# ${l}`),
    'set -e',
    '',
    '# Refuse to start on an insecure config:',
    words([...f.harden, 'audit', '--config', f.config, '--fail-on', 'high', '--no-host']),
    '',
    line(['docker', 'run', '-d', '--name', 'nanobot'], ''),
    line(['--read-only']),
    line(['--tmpfs', '/tmp:noexec,nosuid,size=100m']),
    line(['--security-opt', 'no-new-privileges:true']),
    line(['--cap-drop', 'ALL', '--cap-add', 'CHOWN', '--cap-add', 'SETUID', '--cap-add', 'SETGID']),
  ];
  if (bwrap(f)) out.push(line(['--cap-add', 'SYS_ADMIN', '--security-opt', 'apparmor=unconfined', '--security-opt', 'seccomp=unconfined']));
  for (const v of volumes(f)) out.push(line(['-v', v]));
  if (f.envFile) out.push(line(['--env-file', f.envFile]));
  for (const p of ports(f)) out.push(line(['-p', `127.0.0.1:${p}:${p}`]));
  out.push('  nanobot gateway', '');
  return out.join('\n');
}

/** The same container as a compose file (`harden docker --format compose > compose.yml`). */
export function composeText(f: DeploymentFacts): string {
  const service: Record<string, unknown> = {
    image: 'nanobot',
    command: 'gateway',
    read_only: true,
    security_opt: ['no-new-privileges:true', ...(bwrap(f) ? ['apparmor:unconfined', 'seccomp:unconfined'] : [])],
    cap_drop: ['ALL'],
    cap_add: ['CHOWN', 'SETUID', 'SETGID', ...(bwrap(f) ? ['SYS_ADMIN'] : [])],
    tmpfs: ['/tmp:noexec,nosuid,size=100m'],
    volumes: volumes(f),
    ...(f.envFile ? { env_file: [f.envFile] } : {}),
    ports: ports(f).map((p) => `127.0.0.1:${p}:${p}`),
  };
  const head = [...preamble(f), `Check the config before each start: ${words([...f.harden, 'audit', '--config', f.config, '--fail-on', 'high', '--no-host'])}`];
  return [...head.map((l) => `# ${l}`), stringify({ services: { nanobot: service } }, { lineWidth: 0 }).trimEnd(), ''].join('\n');
}
