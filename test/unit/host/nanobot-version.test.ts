import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectNanobotVersion } from '../../../src/host/nanobot-version.js';
import { tempDir } from '../../helpers/fixtures.js';

async function script(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  await chmod(path, 0o755);
}

describe('detectNanobotVersion', () => {
  it("reads the dist-info folder of the script's Python environment, without running it", async () => {
    const venv = await tempDir();
    await mkdir(join(venv, 'bin'));
    await mkdir(join(venv, 'lib', 'python3.11', 'site-packages', 'nanobot_ai-0.1.4.post6.dist-info'), { recursive: true });
    // Running this script would fail the test: the version must come from metadata alone.
    await script(join(venv, 'bin', 'nanobot'), `#!${join(venv, 'bin', 'python3')}\nraise SystemExit("must not run")\n`);
    expect((await detectNanobotVersion({ PATH: join(venv, 'bin') }))?.text).toBe('0.1.4.post6');
  });

  it('falls back to `nanobot --version` (its banner format)', async () => {
    const bin = await tempDir();
    await script(join(bin, 'nanobot'), '#!/bin/sh\necho "🐈 nanobot v0.2.1"\n');
    expect((await detectNanobotVersion({ PATH: bin }))?.text).toBe('0.2.1');
  });

  it('is undefined when no nanobot is on PATH', async () => {
    expect(await detectNanobotVersion({ PATH: await tempDir() })).toBeUndefined();
  });
});
