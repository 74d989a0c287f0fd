// Coverage of src/ as the whole suite runs it: vitest's own V8 provider for the code the tests
// import, plus the V8 coverage of every harden process the e2e tests start (those run the built
// CLI, dist/, which the in-process figures never see). test/global-setup.ts builds dist/ with
// source maps (`scripts/build.mjs --coverage`) and hands the e2e helpers a directory for
// NODE_V8_COVERAGE; here each process's coverage of dist/ is merged (@bcoe/v8-coverage), mapped
// back to src/*.ts through those maps by ast-v8-to-istanbul, the converter vitest itself uses, and
// merged with vitest's map before its reporters and thresholds (vitest.config.ts) see it.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mergeProcessCovs } from '@bcoe/v8-coverage';
// Not a documented entry point of @vitest/coverage-v8 (pinned to vitest's version): look again when upgrading.
import { V8CoverageProvider } from '@vitest/coverage-v8/dist/provider.js';
import astV8ToIstanbul from 'ast-v8-to-istanbul';
import libCoverage from 'istanbul-lib-coverage';
import { parseAstAsync } from 'vitest/node';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const DIST = pathToFileURL(join(ROOT, 'dist')).href + '/';
/** Where the e2e helpers point NODE_V8_COVERAGE (test/global-setup.ts empties it first). */
const CHILD_COVERAGE_DIR = join(ROOT, 'coverage', 'children');
const { WRAPPER } = createRequire(import.meta.url)(join(ROOT, 'bin', 'load.js'));

/** The V8 coverage of dist/ from every file in `dir`, merged per script. */
async function readChildCoverage(dir) {
  let merged = { result: [] };
  let processes = 0;
  const names = (await readdir(dir).catch(() => [])).filter((n) => n.endsWith('.json'));
  for (const name of names) {
    let data;
    try {
      data = JSON.parse(await readFile(join(dir, name), 'utf8'));
    } catch {
      continue; // a process killed while writing it
    }
    const result = data.result.filter((s) => s.url.startsWith(DIST));
    if (result.length === 0) continue;
    processes++;
    merged = mergeProcessCovs([merged, { result }]);
  }
  return { scripts: merged.result, processes };
}

/** Istanbul coverage of src/ from the merged V8 coverage of dist/'s files. */
async function convertChildCoverage(scripts, isIncluded) {
  const map = libCoverage.createCoverageMap({});
  for (const script of scripts) {
    const file = fileURLToPath(script.url);
    const [code, sourceMap] = await Promise.all([readFile(file, 'utf8'), readFile(`${file}.map`, 'utf8').then(JSON.parse)]);
    const data = await astV8ToIstanbul({
      code,
      ast: await parseAstAsync(code),
      sourceMap,
      // bin/load.js runs the pack as it is and wraps each other file as a CommonJS module.
      wrapperLength: file.endsWith('/pack.js') ? 0 : WRAPPER.length,
      coverage: { url: script.url, functions: script.functions },
    });
    for (const [path, fileCoverage] of Object.entries(data)) if (isIncluded(path)) map.addFileCoverage(fileCoverage);
  }
  return map;
}

/** A copy of a coverage map (structuredClone: an end the converter could not map is Infinity, which JSON would lose). */
const copy = (map, counts = (data) => data) =>
  libCoverage.createCoverageMap(Object.fromEntries(map.files().map((f) => [f, counts(structuredClone(map.fileCoverageFor(f).toJSON()))])));

/** A file's coverage with every count at zero. */
function zeroed(data) {
  const zero = (counts) => Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Array.isArray(v) ? v.map(() => 0) : 0]));
  return { ...data, s: zero(data.s), f: zero(data.f), b: zero(data.b) };
}

// How istanbul-lib-coverage matches the items of two maps of one file: by location.
const keyOf = ({ start, end }) => `${start.line}|${start.column}|${end.line}|${end.column}`;
const KINDS = [
  ['s', 'statementMap', (item) => keyOf(item)],
  ['f', 'fnMap', (item) => keyOf(item.loc)],
  ['b', 'branchMap', (item) => keyOf(item.locations[0])],
];

/**
 * `base` with the hits of `extra` added, on base's statements, functions and branches only.
 * Both are maps of src/*.ts, but made from different code: vitest's from each file with its types
 * stripped, the built CLI's from esbuild's bundle, which adds code of its own mapped onto the
 * source (an import becomes a require() and its helpers, an import() a promise and a function).
 * Those extra items are not the source's and would count as missed; an item of base that the
 * bundle has no exact twin for takes the hits of its narrowest container (istanbul's merge).
 */
function mergeOnto(base, extra) {
  const merged = copy(base);
  for (const file of extra.files()) {
    if (!merged.files().includes(file)) continue;
    const target = merged.fileCoverageFor(file);
    const keep = KINDS.map(([, mapName, key]) => new Set(Object.values(target.data[mapName]).map(key)));
    target.merge(extra.fileCoverageFor(file));
    KINDS.forEach(([hits, mapName, key], i) => {
      const items = Object.keys(target.data[mapName]).filter((k) => keep[i].has(key(target.data[mapName][k])));
      target.data[hits] = Object.fromEntries(items.map((k, n) => [n, target.data[hits][k]]));
      target.data[mapName] = Object.fromEntries(items.map((k, n) => [n, target.data[mapName][k]]));
    });
  }
  return merged;
}

const percent = (map) => {
  const s = map.getCoverageSummary();
  return ['lines', 'branches', 'functions', 'statements'].map((k) => `${k} ${s[k].pct}%`).join(', ');
};

class InProcessAndChildrenProvider extends V8CoverageProvider {
  async generateCoverage(context) {
    const inProcess = await super.generateCoverage(context);
    const { scripts, processes } = await readChildCoverage(CHILD_COVERAGE_DIR);
    // Some 250 kB a process; what they add is kept, as built-cli.json.
    await rm(CHILD_COVERAGE_DIR, { recursive: true, force: true });
    if (processes === 0) return inProcess;
    const children = await convertChildCoverage(scripts, (path) => this.isIncluded(path));
    // The children's share alone, over the same files (zero where they ran nothing), and the
    // sum: each kept beside the report, and their figures printed.
    const childrenAlone = mergeOnto(copy(inProcess, zeroed), children);
    const merged = mergeOnto(inProcess, children);
    await mkdir(this.options.reportsDirectory, { recursive: true });
    await writeFile(join(this.options.reportsDirectory, 'in-process.json'), JSON.stringify(inProcess));
    await writeFile(join(this.options.reportsDirectory, 'built-cli.json'), JSON.stringify(childrenAlone));
    const log = (what, map) => this.ctx.logger.log(` % ${what.padEnd(38)} ${percent(map)}`);
    log("in-process (the tests' own imports):", inProcess);
    log(`built CLI (${processes} harden processes):`, childrenAlone);
    log('merged:', merged);
    return merged;
  }
}

export default {
  getProvider: () => new InProcessAndChildrenProvider(),
};
