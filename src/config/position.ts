/** Line starts of a text, so that an offset becomes a 1-based line and column. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  // indexOf searches natively; a loop over every character runs in the interpreter at start-up.
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export interface Position {
  line: number;
  column: number;
}

export function positionAt(starts: readonly number[], offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
}
