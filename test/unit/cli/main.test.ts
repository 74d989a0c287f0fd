// A run of one command builds only that command; it must be the same command the whole program has.
import { describe, expect, it } from 'vitest';
import { commandFor, program } from '../../../src/cli/main.js';
import type { Io } from '../../../src/io/process-io.js';

const io: Io = { stdout: { write: () => true }, stderr: { write: () => true }, stdinIsTTY: false, env: {}, cwd: '/' };

describe('program', () => {
  it('builds each command alone exactly as the whole program has it: options, arguments, help', () => {
    const whole = program(io, () => undefined);
    const names = whole.commands.map((c) => c.name());
    expect(names).toEqual(['audit', 'fix', 'restore', 'docker', 'systemd', 'incident', 'activity', 'completion']);
    for (const name of names.filter((n) => n !== 'completion')) {
      const alone = program(io, () => undefined, name);
      expect(alone.commands.map((c) => c.name())).toEqual([name]);
      const a = alone.commands[0]!;
      const w = whole.commands.find((c) => c.name() === name)!;
      expect(a.helpInformation()).toBe(w.helpInformation());
      expect(a.options.map((o) => [o.flags, o.defaultValue, o.argChoices])).toEqual(w.options.map((o) => [o.flags, o.defaultValue, o.argChoices]));
      expect(a.registeredArguments.map((x) => x.name())).toEqual(w.registeredArguments.map((x) => x.name()));
    }
  });

  it('builds one command only when argv names it and asks for no help; completion and help need them all', () => {
    expect(commandFor(['audit', '--config', 'x'])).toBe('audit');
    expect(commandFor(['fix', '--dry-run'])).toBe('fix');
    expect(commandFor(['audit', '--help'])).toBeUndefined();
    expect(commandFor(['fix', '-h'])).toBeUndefined();
    expect(commandFor(['completion', 'bash'])).toBeUndefined();
    expect(commandFor(['help', 'audit'])).toBeUndefined();
    expect(commandFor(['--debug', 'audit'])).toBeUndefined();
    expect(commandFor([])).toBeUndefined();
  });
});
