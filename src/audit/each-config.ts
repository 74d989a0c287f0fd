import { isHardenError } from '../errors.js';

/**
 * Run `work` on each config. One config alone: its error is the answer (unless `collect`, for a
 * report that must come whatever happens: JSON, SARIF, JUnit). Among several, a config harden
 * cannot use is reported and the others still get their turn.
 */
export async function eachConfig<T>(
  configs: readonly string[],
  work: (file: string) => Promise<T>,
  collect = false,
): Promise<{ results: T[]; errors: { file: string; message: string }[] }> {
  const results: T[] = [];
  const errors: { file: string; message: string }[] = [];
  for (const file of configs) {
    try {
      results.push(await work(file));
    } catch (error) {
      if ((configs.length === 1 && !collect) || !isHardenError(error)) throw error;
      errors.push({ file, message: error.message });
    }
  }
  return { results, errors };
}
