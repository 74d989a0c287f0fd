import type { ESLint, Rule } from 'eslint';

export declare const LAYERS: readonly (readonly string[])[];
export declare const FS_WRITES: ReadonlySet<string>;
export declare const ONLY_IN: readonly { match: RegExp; units: readonly string[]; what: string }[];
export declare function unitOf(file: string, srcDir: string): string | undefined;
export declare const layersRule: Rule.RuleModule;
declare const plugin: ESLint.Plugin;
export default plugin;
