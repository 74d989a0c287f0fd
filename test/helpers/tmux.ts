// Drive the built CLI in a real terminal: tmux runs it, send-keys types, capture-pane reads.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { childEnv } from './child-env.js';
import { ROOT } from './fixtures.js';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

export class Terminal {
  private constructor(
    readonly name: string,
    private readonly codeFile: string,
  ) {}

  /** This terminal's own tmux server (-L): a shared one that exits as its last session ends races the next start ("server exited unexpectedly"). */
  private tmux(args: readonly string[]): string[] {
    return ['-L', this.name, ...args];
  }

  /** Start `harden args` in a detached 160x50 tmux session; its exit code goes to codeFile. */
  static start(args: string[], dir: string, env: Record<string, string> = {}): Terminal {
    const name = `harden-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const codeFile = join(dir, 'exit-code');
    const quoted = [process.execPath, join(ROOT, 'bin', 'harden.js'), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const vars = Object.entries(childEnv({ HOME: dir, TERM: 'xterm-256color', NO_COLOR: '1', ...env }))
      .map(([k, v]) => `${k}='${v}'`)
      .join(' ');
    const t = new Terminal(name, codeFile);
    execFileSync(
      'tmux',
      t.tmux([
        '-f',
        '/dev/null',
        'new-session',
        '-d',
        '-s',
        name,
        '-x',
        '160',
        '-y',
        '50',
        `env -i PATH=/usr/bin:/bin ${vars} ${quoted}; echo $? > '${codeFile}'; sleep 60`,
      ]),
    );
    return t;
  }

  screen(): string {
    return execFileSync('tmux', this.tmux(['capture-pane', '-p', '-J', '-S', '-500', '-t', this.name]), { encoding: 'utf8' });
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}; screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** tmux key names (Enter, C-c, Escape, Down) or literal text with literal=true. */
  send(keys: string, literal = false): void {
    execFileSync('tmux', this.tmux(['send-keys', '-t', this.name, ...(literal ? ['-l'] : []), keys]));
  }

  async exitCode(timeoutMs = 15_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const text = await readFile(this.codeFile, 'utf8').catch(() => '');
      if (text.trim() !== '') return Number(text.trim());
      if (Date.now() > end) throw new Error(`no exit after ${timeoutMs} ms; screen:\n${this.screen()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  kill(): void {
    spawnSync('tmux', this.tmux(['kill-server']));
  }
}
