// Loads harden's own bundle (dist/) with V8's code cache, so that a run does not compile again
// what the previous run compiled: about a fifth of a typical audit's time went to compiling.
//
// Only harden's files go through here (a require() of "./..." inside dist/); Node's built-ins
// come from Node's require. The cache is the bytecode V8 produced for those files, written after
// a run that had none (so it holds the functions that run used), and read back on the next run.
// It lives under $XDG_CACHE_HOME or ~/.cache, in nanobot-harden/<place>-<build>-<node>-<arch>/
// (V8 keeps the file names it compiled with, so each installed copy has its own), and is
// used only when that directory and each file are this user's own and writable by no one else:
// bytecode from someone else would be code from someone else. Set HARDEN_NO_COMPILE_CACHE=1 to
// read and write nothing. Any failure falls back to compiling, as Node would. Under
// NODE_V8_COVERAGE (the tests' coverage of the built CLI) there is no cache either: functions
// that come from a cache are counted whole, without their branches (measured: 998 of 2,131
// blocks of an audit).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

/** How a file of the bundle is wrapped, as Node wraps a CommonJS module (coverage maps skip it). */
const WRAPPER = '(function (exports, require, module, __filename, __dirname) { ';

/** A short, stable name for a directory path (FNV-1a): which installed copy of harden this is. */
function placeOf(dir) {
  let h = 0x811c9dc5;
  for (let i = 0; i < dir.length; i++) h = Math.imul(h ^ dir.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Whether a stat result belongs to this user and no one else may write to it. */
function ownedAndPrivate(info, uid) {
  return info.uid === uid && (info.mode & 0o022) === 0;
}

/**
 * The cache directory for this build on this Node, created if missing; undefined when there is
 * no safe place for it.
 */
function cacheDirectory(distDir, env, uid) {
  if (uid === undefined || /^(1|true|yes|on)$/i.test(env.HARDEN_NO_COMPILE_CACHE ?? '')) return undefined;
  let build;
  try {
    build = fs.readFileSync(path.join(distDir, 'build-id'), 'utf8').trim();
  } catch {
    return undefined;
  }
  if (!/^[0-9a-f]{8,64}$/.test(build)) return undefined;
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : env.HOME ? path.join(env.HOME, '.cache') : undefined;
  if (!base) return undefined;
  const top = path.join(base, 'nanobot-harden');
  const place = placeOf(path.resolve(distDir));
  const dir = path.join(top, `${place}-${build}-${process.version}-${process.arch}`);
  try {
    // Under sudo with a user's $HOME, that home and its cache are not root's: leave them alone.
    // Nor is a cache directory others may write to a place to keep code.
    if (!fs.existsSync(base) && fs.statSync(path.dirname(base)).uid === uid) fs.mkdirSync(base, { mode: 0o700 });
    const info = fs.statSync(base);
    if (!info.isDirectory() || !ownedAndPrivate(info, uid)) return undefined;
    let created = false;
    for (const d of [top, dir]) {
      // Looked at first: on every run but the first they exist, and a failed mkdir costs an exception.
      let info = fs.lstatSync(d, { throwIfNoEntry: false });
      if (!info) {
        try {
          fs.mkdirSync(d, { mode: 0o700 });
          created = d === dir;
        } catch (error) {
          if (error.code !== 'EEXIST') return undefined;
        }
        info = fs.lstatSync(d);
      }
      if (!info.isDirectory() || !ownedAndPrivate(info, uid)) return undefined;
    }
    // A new build or Node for this copy: the caches of the one it replaced are of no more use,
    // nor are those of copies that are gone (a CI checkout, a temporary install). Each directory
    // names its copy in a file `origin`; one without it predates that and is dropped too.
    if (created) {
      writePrivate(path.join(dir, 'origin'), path.resolve(distDir));
      for (const old of fs.readdirSync(top)) {
        const other = path.join(top, old);
        if (other !== dir && (old.startsWith(`${place}-`) || !copyExists(other, uid))) fs.rmSync(other, { recursive: true, force: true });
      }
    }
  } catch {
    return undefined;
  }
  return dir;
}

/** Whether the installed copy a cache directory was made for is still there. */
function copyExists(cacheDir, uid) {
  const origin = readTrusted(path.join(cacheDir, 'origin'), uid)?.toString('utf8');
  return origin !== undefined && path.isAbsolute(origin) && fs.existsSync(path.join(origin, 'build-id'));
}

/** The cache file's bytes, if it is a regular file of this user's that no one else may write. */
function readTrusted(file, uid) {
  let fd;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const info = fs.fstatSync(fd);
    if (!info.isFile() || !ownedAndPrivate(info, uid)) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Write with a temporary name and rename, so a reader never sees half a cache file. */
function writePrivate(file, bytes) {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, bytes, { mode: 0o600, flag: 'wx' });
    fs.renameSync(temp, file);
  } catch {
    try {
      fs.unlinkSync(temp);
    } catch {
      // nothing was written
    }
  }
}

/**
 * A require() for the bundle at `entry`. Returns the entry's exports and `save()`, which writes
 * the code cache of every file that had none (call it once the run is over). A cache holds what
 * its run compiled, so each `kind` of run (the command) keeps caches of its own.
 *
 * The files most runs need come from dist/pack.js, one script holding each of them as a function
 * keyed by its path under dist/ (scripts/build.mjs): one file and one cache to read instead of
 * thirty. A file the pack does not hold is read on its own.
 */
function load(entry, env = process.env, kind = 'run') {
  const distDir = path.dirname(entry);
  const uid = typeof process.geteuid === 'function' ? process.geteuid() : undefined;
  const dir = process.env.NODE_V8_COVERAGE ? undefined : cacheDirectory(distDir, env, uid);
  const modules = new Map();
  const fresh = [];

  /**
   * Compile a file's text with its code cache (if one is trusted and was made from this very file)
   * and run it: the script's value. V8 checks only that a cache's source has the same length, so
   * each cache starts with a stamp of the file it was made from (size and modification time): a
   * file edited in place, even to the same length, is compiled again rather than run as before.
   */
  function run(file, text, info) {
    const stamp = Buffer.from(`${info.size}:${info.mtimeMs}\n`);
    const cacheFile = dir && path.join(dir, `${path.basename(file)}.${kind}.v8`);
    const stored = cacheFile && readTrusted(cacheFile, uid);
    const cachedData = stored && stored.length > stamp.length && stored.subarray(0, stamp.length).equals(stamp) ? stored.subarray(stamp.length) : undefined;
    const script = new vm.Script(text, { filename: file, cachedData });
    if (cacheFile && (!cachedData || script.cachedDataRejected)) fresh.push({ script, cacheFile, stamp });
    return script.runInThisContext();
  }

  /** A file of the bundle the pack does not hold, wrapped as Node wraps a CommonJS module. */
  function runFile(file) {
    // Stamped before it is read: a file that changes in between is compiled again next time.
    const info = fs.statSync(file);
    return run(file, `${WRAPPER}${fs.readFileSync(file, 'utf8')}\n})`, info);
  }

  const packFile = path.join(distDir, 'pack.js');
  const packInfo = fs.statSync(packFile, { throwIfNoEntry: false });
  const pack = packInfo ? run(packFile, fs.readFileSync(packFile, 'utf8'), packInfo) : {};

  function loadFile(file) {
    const known = modules.get(file);
    if (known) return known.exports;
    const module = { exports: {}, id: file, filename: file, loaded: false };
    modules.set(file, module);
    const key = path.relative(distDir, file).split(path.sep).join('/');
    const body = Object.hasOwn(pack, key) ? pack[key] : runFile(file);
    const here = path.dirname(file);
    const localRequire = (id) => (id.startsWith('./') || id.startsWith('../') ? loadFile(path.join(here, id)) : require(id));
    body.call(module.exports, module.exports, localRequire, module, file, here);
    module.loaded = true;
    return module.exports;
  }

  const exports = loadFile(entry);
  return {
    exports,
    save() {
      for (const { script, cacheFile, stamp } of fresh.splice(0)) {
        try {
          writePrivate(cacheFile, Buffer.concat([stamp, script.createCachedData()]));
        } catch {
          // A cache is an optimisation: the run's result never depends on it.
        }
      }
    },
  };
}

module.exports = { load, cacheDirectory, readTrusted, WRAPPER };
