// The real PromptAdapter, on @inquirer/prompts. Ctrl-C (ExitPromptError) and Esc (an aborted
// signal, AbortPromptError) both become PromptCancelledError: exit 130, nothing written.
import { emitKeypressEvents } from 'node:readline';
import { confirm, input, select } from '@inquirer/prompts';
import { PromptCancelledError } from '../errors.js';
import type { Choice, PromptAdapter } from './prompts.js';

type Input = NodeJS.ReadableStream & { isTTY?: boolean };
type Output = NodeJS.WritableStream;

function cancelled(error: unknown): never {
  const name = error instanceof Error ? error.name : '';
  if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError') {
    throw new PromptCancelledError('cancelled; nothing was written');
  }
  throw error;
}

export class InquirerAdapter implements PromptAdapter {
  constructor(
    private readonly stdin: Input,
    private readonly stdout: Output,
    private readonly write: (text: string) => void,
  ) {
    emitKeypressEvents(stdin);
  }

  /** Run one prompt with an AbortSignal that Esc fires. */
  private async ask<T>(run: (context: { input: Input; output: Output; signal: AbortSignal; clearPromptOnDone: boolean }) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const onKey = (_: unknown, key: { name?: string } | undefined) => {
      if (key?.name === 'escape') controller.abort();
    };
    this.stdin.on('keypress', onKey);
    try {
      return await run({ input: this.stdin, output: this.stdout, signal: controller.signal, clearPromptOnDone: false });
    } catch (error) {
      return cancelled(error);
    } finally {
      this.stdin.removeListener('keypress', onKey);
    }
  }

  select<T>(message: string, choices: readonly Choice<T>[], defaultValue?: T): Promise<T> {
    return this.ask((ctx) =>
      select<T>({ message, choices: choices.map((c) => ({ ...c })), ...(defaultValue !== undefined ? { default: defaultValue } : {}) }, ctx),
    );
  }

  confirm(message: string, defaultValue: boolean): Promise<boolean> {
    return this.ask((ctx) => confirm({ message, default: defaultValue }, ctx));
  }

  input(message: string, options: { default?: string; validate?: (value: string) => true | string } = {}): Promise<string> {
    return this.ask((ctx) =>
      input(
        { message, ...(options.default !== undefined ? { default: options.default } : {}), ...(options.validate ? { validate: options.validate } : {}) },
        ctx,
      ),
    );
  }

  say(text: string): void {
    this.write(text.endsWith('\n') ? text : text + '\n');
  }
}
