// The wizard in a real pseudo-terminal: keystrokes in, the file, its mode and its backup out.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { crlfTabsFixed, copyFixture } from '../helpers/fixtures.js';
import { hasTmux, Terminal } from '../helpers/tmux.js';

const ARGS = ['--nanobot-version', '0.3.0', '--runtime', 'host'];

describe.skipIf(!hasTmux)('harden fix, the wizard in a terminal (tmux)', () => {
  let term: Terminal | undefined;
  afterEach(() => term?.kill());

  it('answers by keystrokes and writes the file with mode 600 and a backup', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json', { mode: 0o644 });
    const original = await readFile(file, 'utf8');
    term = Terminal.start(['fix', '-c', file, ...ARGS], dir);
    await term.waitFor(/can be fixed without asking you anything\. Apply them\?/);
    term.send('Enter'); // Apply all
    await term.waitFor(/Remove "\*" from channels\.telegram\.allowFrom\?/);
    term.send('Enter'); // Yes
    await term.waitFor(/Telegram accounts that may talk to the bot/);
    term.send('@x', true);
    term.send('Enter');
    await term.waitFor(/@x: expected a numeric Telegram user ID/); // validated in place
    term.send('BSpace');
    term.send('BSpace');
    term.send('123456789', true);
    term.send('Enter');
    await term.waitFor(/Move the secrets to the env file\?/);
    term.send('Enter'); // No (the default)
    const screen = await term.waitFor(/Write these changes\? A backup is made first/);
    expect(screen).toMatch(/-\s+"host": "0\.0\.0\.0",/);
    expect(screen).toMatch(/mode of .*config\.json: 644 -> 600/);
    expect(screen).not.toContain('FAKE-crlf-telegram-token');
    term.send('Enter');
    expect(await term.exitCode()).toBe(0);
    const fixed = await readFile(file, 'utf8');
    expect(fixed).toBe(crlfTabsFixed(original));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const backups = await readdir(join(dir, '.nanobot', '.harden', 'backups'));
    expect(backups).toHaveLength(1);
    expect(await readFile(join(dir, '.nanobot', '.harden', 'backups', backups[0]!), 'utf8')).toBe(original);
    expect(term.screen()).toMatch(/Undo with: harden restore --config/);
  });

  it.each([
    ['Ctrl-C', 'C-c'],
    ['Esc', 'Escape'],
  ])('%s midway writes nothing and exits 130', async (_name, key) => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json', { mode: 0o644 });
    const before = await readFile(file);
    term = Terminal.start(['fix', '-c', file, ...ARGS], dir);
    await term.waitFor(/Apply them\?/);
    term.send('Enter');
    await term.waitFor(/Remove "\*"/);
    term.send('Enter');
    await term.waitFor(/Telegram accounts that may talk to the bot/);
    term.send('123', true);
    term.send(key);
    expect(await term.exitCode()).toBe(130);
    expect(term.screen()).toMatch(/harden: cancelled; nothing was written/);
    expect(await readFile(file)).toEqual(before);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect(await readdir(join(dir, '.nanobot'))).toEqual(['config.json']);
  });
});
