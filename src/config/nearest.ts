// The name a misspelt one most likely meant: config keys, channel names, rule ids, flags.

// Two rows reused by every call: a config has thousands of key-candidate pairs to compare.
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/** Levenshtein distance of a and b, or limit + 1 as soon as it is sure to exceed limit. */
function distanceWithin(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (rowA.length <= b.length) {
    rowA = new Int32Array(b.length + 1);
    rowB = new Int32Array(b.length + 1);
  }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const ca = a.charCodeAt(i - 1);
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      let v = prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      if (prev[j]! + 1 < v) v = prev[j]! + 1;
      if (cur[j - 1]! + 1 < v) v = cur[j - 1]! + 1;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    // Every later row is at least this row's minimum.
    if (rowMin > limit) return limit + 1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[b.length]!;
}

const lowered = new WeakMap<readonly string[], string[]>();

/** The candidate a misspelt key most likely meant: within 1 edit (2 for keys of 8 or more), the first of the closest. */
export function nearest(key: string, candidates: readonly string[]): string | undefined {
  const lower = key.toLowerCase().replace(/_/g, '');
  const limit = key.length >= 8 ? 2 : 1;
  let lows = lowered.get(candidates);
  if (!lows) lowered.set(candidates, (lows = candidates.map((c) => c.toLowerCase())));
  let best: string | undefined;
  let bestD = limit + 1;
  for (let i = 0; i < candidates.length && bestD > 0; i++) {
    const d = distanceWithin(lower, lows[i]!, limit);
    if (d < bestD) {
      bestD = d;
      best = candidates[i];
    }
  }
  return best;
}

/**
 * What a mistyped name on the command line most likely meant: the nearest by edit distance, else
 * the candidates it is the start or a part of (at most three), as " (did you mean ...?)", or ''.
 */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const close = nearest(input, candidates);
  const lower = input.toLowerCase();
  const hits =
    close !== undefined
      ? [close]
      : lower.length >= 2
        ? candidates.filter((c) => c.toLowerCase().startsWith(lower) || c.toLowerCase().includes(lower)).slice(0, 3)
        : [];
  return hits.length > 0 ? ` (did you mean ${hits.join(' or ')}?)` : '';
}
