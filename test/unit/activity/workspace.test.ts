// The workspace review: links out, new executables, new hidden files, what changed, and which
// session wrote each where the history says so.
import { chmod, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { activityJson, writeHistory } from '../../helpers/history.js';

describe('workspace review', () => {
  it('flags links out, new executables and hidden files, lists the changes, and names the session that wrote them', async () => {
    const inst = await writeHistory({
      release: '0.3.0',
      conversations: [
        {
          key: 'telegram:123456789',
          start: '2026-11-21T03:00:00',
          turns: [
            {
              user: 'make me a tool',
              calls: [
                { name: 'write_file', args: { path: 'tools/run.sh', content: '#!/bin/sh\n' } },
                { name: 'exec', args: { command: 'chmod +x tools/run.sh && ln -s /etc etc' } },
              ].map((c) => ({ ...c, result: 'ok' })),
              answer: 'done',
            },
          ],
        },
      ],
    });
    const ws = inst.workspace;
    await mkdir(join(ws, 'tools'));
    await writeFile(join(ws, 'tools', 'run.sh'), '#!/bin/sh\n');
    await chmod(join(ws, 'tools', 'run.sh'), 0o755);
    await symlink('/etc', join(ws, 'etc'));
    await symlink('reports/latest.md', join(ws, 'latest'));
    await writeFile(join(ws, '.stash'), 'x');
    await mkdir(join(ws, 'notes'));
    await writeFile(join(ws, 'notes', 'old.md'), 'x');
    await utimes(join(ws, 'notes', 'old.md'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    await writeFile(join(ws, 'notes', 'new.md'), 'x');
    const { report } = await activityJson(['--config', inst.config], { HOME: inst.home });
    const by = (id: string) => report.findings.filter((f) => f.ruleId === id).map((f) => f.message);
    expect(by('activity-workspace-link-outside')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${join(ws, 'etc')} is a link to /etc, outside the workspace; written by session telegram:123456789 at 2026-11-21 03:00:03 \\(exec, .*\\.jsonl:5\\)$`,
        ),
      ),
    ]);
    expect(by('activity-workspace-executable')).toEqual([
      expect.stringMatching(
        new RegExp(`^${join(ws, 'tools', 'run.sh')} is executable, changed .*; written by session telegram:123456789 at 2026-11-21 03:00:03 \\(exec, .*:5\\)$`),
      ),
    ]);
    expect(by('activity-workspace-hidden')).toEqual([expect.stringMatching(new RegExp(`^${join(ws, '.stash')} is hidden`))]);
    const review = report['workspaceReview'] as { changed: number; files: { path: string; kind: string }[] };
    expect(review.files.filter((f) => f.kind === 'changed').map((f) => f.path)).toEqual([join(ws, 'notes', 'new.md')]);
    expect(review.changed).toBe(3);
  });
});
