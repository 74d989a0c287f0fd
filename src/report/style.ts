// Colour is decided once by the CLI and passed in; reporters only ask for a style by name.
const CODES = {
  red: [31, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  green: [32, 39],
  gray: [90, 39],
  bold: [1, 22],
  dim: [2, 22],
} as const;
export type StyleName = keyof typeof CODES;

export type Style = (name: StyleName, text: string) => string;

export function styler(color: boolean): Style {
  if (!color) return (_name, text) => text;
  return (name, text) => `\u001b[${CODES[name][0]}m${text}\u001b[${CODES[name][1]}m`;
}
