// Placeholder entry until the wizard lands: keeps the CLI honest about what it cannot do yet.
import { UsageError } from '../errors.js';

export async function runWizard(..._args: unknown[]): Promise<number> {
  throw new UsageError('the interactive wizard is not available in this build: pass --yes to apply the fixes, or --dry-run to see them');
}
