// The architecture's layers as an ESLint rule (docs/development.md, "Architecture"). Each folder of
// src/ sits on a layer; a module may import its own folder and the layers below its own, never a
// layer above it or a sibling pipeline. Some packages belong to one place only: only src/io writes
// files, only src/io and src/host start processes, only src/wizard talks to the prompt library.
// Every form of import is checked: static, re-export, `import()`, `typeof import()` and
// `process.getBuiltinModule()`.
import { dirname, relative, resolve, sep } from 'node:path';

/** Low to high. A unit is a folder of src/ or a single file directly in it. */
export const LAYERS = [
  ['errors.ts'],
  ['io'],
  ['config'],
  ['findings'],
  ['host'],
  ['rules'],
  // The pipelines: each reads, evaluates and reports findings; none imports another but fix,
  // which is an audit followed by a plan.
  ['audit', 'activity', 'deploy'],
  ['fix'],
  ['report'],
  ['wizard'],
  ['cli', 'index.ts'],
];

const RANK = new Map(LAYERS.flatMap((units, rank) => units.map((u) => [u, rank])));

/** Names of node:fs and node:fs/promises that change the file system. */
export const FS_WRITES = new Set([
  'appendFile',
  'appendFileSync',
  'chmod',
  'chmodSync',
  'chown',
  'chownSync',
  'copyFile',
  'copyFileSync',
  'cp',
  'cpSync',
  'createWriteStream',
  'fchmod',
  'fchmodSync',
  'fchown',
  'fchownSync',
  'ftruncate',
  'ftruncateSync',
  'futimes',
  'futimesSync',
  'lchmod',
  'lchown',
  'lchownSync',
  'link',
  'linkSync',
  'lutimes',
  'lutimesSync',
  'mkdir',
  'mkdirSync',
  'mkdtemp',
  'mkdtempSync',
  'rename',
  'renameSync',
  'rm',
  'rmSync',
  'rmdir',
  'rmdirSync',
  'symlink',
  'symlinkSync',
  'truncate',
  'truncateSync',
  'unlink',
  'unlinkSync',
  'utimes',
  'utimesSync',
  'writeFile',
  'writeFileSync',
  'writev',
  'writevSync',
]);

const FS = /^(node:)?fs(\/promises)?$/;

/** Which places may use a package at all (units of LAYERS), by package name. */
export const ONLY_IN = [
  { match: /^(node:)?child_process$|^execa$/, units: ['io', 'host'], what: 'starts processes' },
  { match: /^@inquirer\/|^inquirer$/, units: ['wizard'], what: 'is the prompt library' },
];

/** The unit of a file under src/ (its folder, or its own name directly in src/), else undefined. */
export function unitOf(file, srcDir) {
  const rel = relative(srcDir, file);
  if (rel.startsWith('..') || rel === '') return undefined;
  // A file directly in src/ is named as its source (an import spells errors.ts as errors.js).
  return rel.split(sep)[0].replace(/\.js$/, '.ts');
}

function importedNames(node) {
  // import { a, b as c } from 'x' / export { a } from 'x'
  if (node.type === 'ImportDeclaration') {
    return node.specifiers.map((s) => (s.type === 'ImportSpecifier' ? (s.imported.name ?? s.imported.value) : '*'));
  }
  if (node.type === 'ExportNamedDeclaration') return node.specifiers.map((s) => s.local.name ?? s.local.value);
  if (node.type === 'ExportAllDeclaration') return ['*'];
  // const { a, b } = await import('x')
  if (node.type === 'ImportExpression' || node.type === 'CallExpression') {
    let p = node.parent;
    if (p?.type === 'AwaitExpression') p = p.parent;
    if (p?.type === 'VariableDeclarator' && p.id.type === 'ObjectPattern') {
      return p.id.properties.map((prop) => (prop.type === 'Property' && prop.key.type === 'Identifier' ? prop.key.name : '*'));
    }
    return ['*'];
  }
  return ['*'];
}

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        "Keep src/'s layers: no upward or sideways imports, writes only in src/io, processes only in src/io and src/host, prompts only in src/wizard",
    },
    schema: [{ type: 'object', properties: { srcDir: { type: 'string' } }, additionalProperties: false }],
    messages: {
      upward: '{{from}} may not import {{to}}: {{why}} (the layers are in docs/development.md, "Architecture")',
      writes: 'only src/io changes files: {{name}} from {{source}} is not for {{from}} (use src/io/files.ts)',
      fsWhole: 'only src/io changes files: import the reading functions of {{source}} by name here, not the whole module',
      onlyIn: '{{source}} {{what}}: only {{units}} may use it, not {{from}}',
    },
  },
  create(context) {
    const srcDir = resolve(context.options[0]?.srcDir ?? 'src');
    const file = context.filename;
    const from = unitOf(file, srcDir);
    if (from === undefined) return {};
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      if (source.startsWith('.')) {
        const to = unitOf(resolve(dirname(file), source), srcDir);
        if (to === undefined || to === from) return;
        const a = RANK.get(from);
        const b = RANK.get(to);
        if (a === undefined || b === undefined) {
          context.report({ node, messageId: 'upward', data: { from: `src/${from}`, to: `src/${to}`, why: 'it has no place among the layers yet' } });
        } else if (b >= a) {
          context.report({
            node,
            messageId: 'upward',
            data: { from: `src/${from}`, to: `src/${to}`, why: b === a ? 'sibling pipelines do not depend on each other' : `it is a layer above` },
          });
        }
        return;
      }
      for (const rule of ONLY_IN) {
        if (rule.match.test(source) && !rule.units.includes(from)) {
          context.report({
            node,
            messageId: 'onlyIn',
            data: { source, what: rule.what, units: rule.units.map((u) => `src/${u}`).join(' and '), from: `src/${from}` },
          });
        }
      }
      if (FS.test(source) && from !== 'io') {
        const names = importedNames(node);
        if (names.includes('*')) {
          // A type-only import of the whole module changes nothing.
          if (node.importKind === 'type') return;
          context.report({ node, messageId: 'fsWhole', data: { source } });
          return;
        }
        for (const name of names) if (FS_WRITES.has(name)) context.report({ node, messageId: 'writes', data: { name, source, from: `src/${from}` } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      // const { execFileSync } = process.getBuiltinModule('node:child_process')
      CallExpression: (node) => {
        const c = node.callee;
        const named = c.type === 'MemberExpression' && c.object.type === 'Identifier' && c.object.name === 'process' && c.property.type === 'Identifier';
        if (named && c.property.name === 'getBuiltinModule' && node.arguments[0]?.type === 'Literal') check(node, node.arguments[0].value);
      },
      TSImportType: (node) => {
        const arg = node.argument;
        const literal = arg?.type === 'TSLiteralType' ? arg.literal : arg;
        if (literal?.type === 'Literal') check(node, literal.value);
      },
    };
  },
};

export default { rules: { layers: layersRule } };
