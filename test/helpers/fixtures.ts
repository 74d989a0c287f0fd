// Fixtures are real files: each test copies what it needs into a fresh temp directory.
import { chmod, copyFile, mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export async function tempDir(prefix = 'harden-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Copy a fixture into a fresh private directory as <dir>/.nanobot/config.json (mode 600, dir 700). */
export async function copyFixture(name: string, options: { mode?: number; dirMode?: number } = {}): Promise<{ dir: string; file: string }> {
  const home = await tempDir();
  const dir = join(home, '.nanobot');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'config.json');
  await copyFile(join(FIXTURES, name), file);
  await chmod(file, options.mode ?? 0o600);
  await chmod(dir, options.dirMode ?? 0o700);
  return { dir: home, file };
}

/** Write text as a config file in a fresh private directory. */
export async function writeConfig(text: string | Uint8Array, options: { mode?: number } = {}): Promise<{ dir: string; file: string }> {
  const home = await tempDir();
  const dir = join(home, '.nanobot');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const file = join(dir, 'config.json');
  await writeFile(file, text);
  await chmod(file, options.mode ?? 0o600);
  return { dir: home, file };
}

/** fix/crlf-tabs.json after `fix --yes --allow-from telegram=123456789`: only these bytes change. */
export function crlfTabsFixed(original: string, telegram = '123456789'): string {
  return original
    .replace('"host": "0.0.0.0"', '"host": "127.0.0.1"')
    .replace('"restrictToWorkspace": false', '"restrictToWorkspace": true')
    .replace('"timeout": 600', '"timeout": 30')
    .replace('["*"]', `["${telegram}"]`);
}
