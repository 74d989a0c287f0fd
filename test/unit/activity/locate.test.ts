// Where the history is, per release, and what in those directories is not read: links, FIFOs.
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { activityJson, dangerousConversations, sessionFileName, writeHistory } from '../../helpers/history.js';
import { tempDir } from '../../helpers/fixtures.js';

describe('locating the history', () => {
  it("main: the workspace's namespace under <config dir>/sessions, by workspace-id or, when that is gone, by the .workspace marker", async () => {
    const { conversations } = dangerousConversations();
    const inst = await writeHistory({ release: 'main', conversations });
    // Another workspace's namespace beside it is not this instance's.
    const other = join(inst.dataDir, 'sessions', 'f'.repeat(32));
    await mkdir(other);
    await writeFile(join(other, '.workspace'), '/elsewhere\n');
    await writeFile(
      join(other, sessionFileName('main', 'telegram:42')),
      '{"_type": "metadata", "key": "telegram:42"}\n{"role": "user", "content": "hi", "timestamp": "2026-11-21T03:00:00"}\n',
    );
    const keys = async () => (await activityJson(['--config', inst.config], { HOME: inst.home })).report.sessions.map((s) => s.key);
    expect(await keys()).toEqual(['telegram:123456789', 'telegram:555000111']);
    await unlink(join(inst.workspace, '.nanobot', 'workspace-id'));
    expect(await keys()).toEqual(['telegram:123456789', 'telegram:555000111']);
  });

  it('a session file that is a link, or a FIFO, is not read (and never waited on); a linked sessions directory is not entered', async () => {
    const { conversations } = dangerousConversations();
    const inst = await writeHistory({ release: '0.3.0', conversations });
    const sessions = join(inst.workspace, 'sessions');
    const secret = join(await tempDir(), 'shadow');
    await writeFile(secret, 'root:$6$FAKEHASH:19000:0:99999:7:::\n');
    await symlink(secret, join(sessions, 'link.jsonl'));
    execFileSync('mkfifo', [join(sessions, 'fifo.jsonl')]);
    const { report } = await activityJson(['--config', inst.config], { HOME: inst.home });
    expect(report.skipped).toEqual([
      { file: join(sessions, 'fifo.jsonl'), why: 'it is not a regular file' },
      { file: join(sessions, 'link.jsonl'), why: 'it is a symbolic link, which harden does not follow in a directory the agent can write' },
    ]);
    expect(JSON.stringify(report)).not.toContain('FAKEHASH');

    await rename(sessions, join(inst.workspace, 'real-sessions'));
    await symlink(join(inst.workspace, 'real-sessions'), sessions);
    const linked = await activityJson(['--config', inst.config], { HOME: inst.home });
    expect(linked.report.sessions).toEqual([]);
    expect(linked.report.skipped).toContainEqual({
      file: sessions,
      why: 'it is a symbolic link, which harden does not follow in a directory the agent can write',
    });
  });

  it('a session file harden may not read is named, and the others are still read', async () => {
    if (process.getuid?.() === 0) return; // root reads it anyway
    const { conversations } = dangerousConversations();
    const inst = await writeHistory({ release: '0.3.0', conversations });
    const file = join(inst.workspace, 'sessions', sessionFileName('0.3.0', 'telegram:123456789'));
    await chmod(file, 0o000);
    const { report } = await activityJson(['--config', inst.config], { HOME: inst.home });
    expect(report.skipped).toEqual([{ file, why: 'cannot be read (EACCES)' }]);
    expect(report.findings.some((f) => f.event?.session === 'telegram:555000111')).toBe(true);
  });
});
