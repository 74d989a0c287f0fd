// What `harden docker`, `harden systemd` and `harden incident` print: secure starting points and
// the incident steps for this deployment's actual paths. Pure: facts in, text out.
import { dotted } from '../config/pointer.js';
import { getIn, isObject } from '../config/model.js';
import { isSecretPath } from '../config/secrets.js';
import { table } from '../config/own.js';

export interface DeploymentFacts {
  config: string;
  dataDir: string;
  workspace: string;
  /** The effective config. */
  value: Record<string, unknown>;
  /** The user nanobot should run as, for User=: the config's owner, or "nanobot" when root owns it. */
  user: string;
  /** Whether `user` is the config's owner (else a user to create). */
  userIsOwner: boolean;
  configMode: number;
  /** How to run harden itself from a unit or a script: the program and its first arguments. */
  harden: string[];
  nanobot: string;
  /** Whether `nanobot` was found on PATH (else it is a guess). */
  nanobotFound: boolean;
  envFile?: string;
  version: string;
}

const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);
export const inside = (dir: string, path: string) => path === dir || path.startsWith(dir.replace(/\/$/, '') + '/');
/** A word for a POSIX shell: single-quoted unless it needs nothing (the incident steps' paths). */
const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export interface PortUse {
  port: number;
  /** Why it is published, in words. */
  why: string;
}

/** The ports nanobot listens on with this config, and why each: nothing else is published. */
export function portUses(f: DeploymentFacts): PortUse[] {
  const out: PortUse[] = [{ port: num(getIn(f.value, ['gateway', 'port']), 18790), why: 'the gateway (gateway.port)' }];
  if (getIn(f.value, ['channels', 'websocket', 'enabled']) === true) {
    const explicit = getIn(f.value, ['channels', 'websocket']) !== undefined;
    out.push({
      port: num(getIn(f.value, ['channels', 'websocket', 'port']), 8765),
      why: `the websocket channel that serves the WebUI (channels.websocket${explicit ? '' : `, on by default in nanobot ${f.version}`}; set channels.websocket.enabled to false if you do not use it)`,
    });
  }
  return out;
}

export function ports(f: DeploymentFacts): number[] {
  return portUses(f).map((p) => p.port);
}

export const bwrap = (f: DeploymentFacts) => getIn(f.value, ['tools', 'exec', 'sandbox']) === 'bwrap';

/**
 * A word of a systemd command line or list (systemd.syntax(7), "Quoting"; systemd.service(5),
 * "Command lines"): double-quoted with C escapes when it has spaces, quotes or backslashes, and
 * `%` and `$` doubled, since systemd reads them as specifiers and variables.
 */
export function systemdWord(s: string): string {
  const plain = /^[^\s"'\\;]+$/.test(s) && s !== '';
  const quoted = plain
    ? s
    : `"${s
        .replace(/[\\"]/g, (c) => `\\${c}`)
        .replace(/\n/g, '\\n')
        .replace(/\t/g, '\\t')
        .replace(/\r/g, '\\r')}"`;
  return quoted.replace(/%/g, '%%').replace(/\$/g, '$$$$');
}

/** A path for a setting that takes the rest of the line as it is (EnvironmentFile=): only specifiers escaped. */
const systemdPath = (s: string) => s.replace(/%/g, '%%');

export function systemdText(f: DeploymentFacts): string {
  const rw = [f.dataDir, ...(inside(f.dataDir, f.workspace) ? [] : [f.workspace])];
  return [
    '# /etc/systemd/system/nanobot.service: a hardened unit for this config.',
    '# Install: save it, then systemctl daemon-reload && systemctl enable --now nanobot',
    '[Unit]',
    'Description=nanobot gateway (hardened)',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    ...(f.userIsOwner
      ? [`# User=: the config's owner.`]
      : [
          `# User=nanobot: root owns the config, and nanobot must not run as root. Create the user and give`,
          `# it the directory first: useradd --system --home-dir ${f.dataDir} nanobot && chown -R nanobot: ${f.dataDir}`,
          `# (until then it cannot read the config, mode ${f.configMode.toString(8).padStart(3, '0')} and owned by root, and the unit fails).`,
        ]),
    `User=${systemdWord(f.user)}`,
    '# nanobot refuses to start when the config has a high or critical finding:',
    `ExecStartPre=${[...f.harden, 'audit', '--config', f.config, '--fail-on', 'high', '--no-color'].map(systemdWord).join(' ')}`,
    ...(f.nanobotFound
      ? []
      : [`# ExecStart: ${f.nanobot} is a guess (no nanobot on this PATH): put the path \`command -v nanobot\` prints where nanobot is installed.`]),
    `ExecStart=${[f.nanobot, 'gateway', '--config', f.config].map(systemdWord).join(' ')}`,
    'Restart=on-failure',
    ...(f.envFile ? [`EnvironmentFile=${systemdPath(f.envFile)}`] : []),
    'UMask=0077',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=read-only',
    `ReadWritePaths=${rw.map(systemdWord).join(' ')}`,
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    ...(bwrap(f) ? ['# RestrictNamespaces= is left out: the bwrap sandbox needs user namespaces'] : ['RestrictNamespaces=yes']),
    'CapabilityBoundingSet=',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** Where each kind of credential is rotated; the value itself is never shown. */
const ROTATE = table<string>({
  'providers/openrouter': 'OpenRouter: openrouter.ai, Settings > Keys',
  'providers/anthropic': 'Anthropic: console.anthropic.com, API keys',
  'providers/openai': 'OpenAI: platform.openai.com, API keys',
  'providers/groq': 'Groq: console.groq.com, API keys',
  'providers/gemini': 'Google AI Studio: aistudio.google.com, API keys',
  'providers/deepseek': 'DeepSeek: platform.deepseek.com, API keys',
  'channels/telegram': 'Telegram: @BotFather, /revoke, then the new token',
  'channels/discord': 'Discord: Developer Portal > your app > Bot > Reset Token',
  'channels/slack': 'Slack: api.slack.com/apps > your app (OAuth tokens and app-level tokens)',
  'channels/email': 'your mail provider: revoke the app password and make a new one',
  'channels/feishu': 'Feishu/Lark open platform: your app > Credentials',
  'channels/matrix': "Matrix: log out the bot's sessions, then log in again for a new access token",
  'channels/mattermost': 'Mattermost: Profile > Security > Personal Access Tokens',
  'channels/websocket': 'nanobot itself: set a new random token or tokenIssueSecret',
  api: 'nanobot itself: set a new random api.apiKey',
  'tools/web': "the web search provider's dashboard (Brave, Tavily, ...)",
  'tools/mcpServers': 'the service the MCP server talks to (for GitHub: Settings > Developer settings > Tokens)',
});

function whereToRotate(path: readonly string[]): string {
  for (let n = Math.min(path.length, 2); n >= 1; n--) {
    const hit = ROTATE[path.slice(0, n).join('/')];
    if (hit) return hit;
  }
  return path[0] === 'providers' ? `the ${path[1]} provider's console` : 'where it was issued';
}

export interface IncidentFacts extends DeploymentFacts {
  units: string[];
  processes: { pid: number; command: string }[];
  containers: string[];
  recent: string[];
  /** Whether the workspace directory exists at all (else there is nothing to have changed). */
  workspaceExists: boolean;
  /** The window the workspace review looked at. */
  recentDays: number;
  /** What `harden activity` flagged in the history of the last days (already redacted), or why it could not look. */
  history?: { since: string; flagged: string[]; calls: number; note?: string };
}

export function incidentText(f: IncidentFacts): string {
  const out: string[] = [`Incident response for ${f.config} (nanobot ${f.version})`, '', '1. Stop it now:'];
  for (const c of f.containers) out.push(`   docker stop ${c}`);
  for (const u of f.units) out.push(`   systemctl ${/\/systemd\/user\//.test(u) ? '--user ' : ''}stop ${u.slice(u.lastIndexOf('/') + 1)}`);
  for (const p of f.processes) out.push(`   kill ${p.pid}    # ${p.command}`);
  if (f.containers.length + f.units.length + f.processes.length === 0)
    out.push("   pkill -f 'nanobot gateway'   (no container, unit or process was found running)");
  out.push('', '2. Rotate every credential the config uses (an agent with a shell can read them all, from the file or the environment):');
  const creds: string[] = [];
  const visit = (v: unknown, path: string[]) => {
    if (isObject(v)) for (const [k, x] of Object.entries(v)) visit(x, [...path, k]);
    else if (Array.isArray(v)) v.forEach((x, i) => isObject(x) && visit(x, [...path, String(i)]));
    else if (typeof v === 'string' && v.trim() !== '' && isSecretPath(path)) creds.push(`   - ${dotted(path)}: ${whereToRotate(path)}`);
  };
  visit(f.value, []);
  for (const line of creds.length > 0 ? creds : ['   (no credentials in the config; check the service environment)']) out.push(line);
  out.push('', `3. Check the workspace, ${f.workspace}, for unexpected files:`);
  if (!f.workspaceExists) out.push('   (it does not exist here: nanobot has not run with this config on this host, or the workspace is elsewhere)');
  else {
    for (const line of f.recent.length > 0 ? f.recent.map((r) => `   - ${r}`) : [`   (nothing changed in the last ${f.recentDays} days)`]) out.push(line);
    // The same window as the list above; widen it by hand to look further back.
    out.push(`   find ${q(f.workspace)} -newermt '-${f.recentDays} days' -type f`);
  }
  if (f.history) {
    const h = f.history;
    out.push('', `4. What the agent did since ${h.since} that the activity rules flag (harden activity --config ${q(f.config)} --since 7d shows it all):`);
    if (h.note) out.push(`   ${h.note}`);
    else out.push(...(h.flagged.length > 0 ? h.flagged.map((l) => `   - ${l}`) : [`   (nothing flagged in ${h.calls} tool call${h.calls === 1 ? '' : 's'})`]));
    out.push('   The raw logs:');
  } else out.push('', '4. Read the logs for the commands the agent ran:');
  for (const u of f.units) out.push(`   journalctl ${/\/systemd\/user\//.test(u) ? '--user ' : ''}-u ${u.slice(u.lastIndexOf('/') + 1)} --since '-7 days'`);
  for (const c of f.containers) out.push(`   docker logs --since 168h ${c}`);
  out.push(`   ls ${q(f.dataDir)}/logs/    (gateway --background logs), and the sessions in ${q(f.dataDir)}/sessions/`);
  out.push('', `5. Review who may talk to the bot: the allow lists in the config and ${f.dataDir}/pairing.json (/pairing list, /pairing revoke).`);
  out.push('', `6. Then: harden audit --config ${q(f.config)}; earlier versions of the config are listed by harden restore --list.`);
  return out.join('\n') + '\n';
}
