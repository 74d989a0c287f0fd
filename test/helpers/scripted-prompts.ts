// A PromptAdapter that plays a script: each question must be the kind expected (and match the
// message pattern when one is given); leftover answers fail the test.
import { expect } from 'vitest';
import type { Choice, PromptAdapter } from '../../src/wizard/prompts.js';
import { PromptCancelledError } from '../../src/errors.js';

export type Step =
  { select: unknown; match?: RegExp } | { confirm: boolean; match?: RegExp } | { input: string; match?: RegExp } | { cancel: true; match?: RegExp };

export class ScriptedPrompts implements PromptAdapter {
  readonly asked: string[] = [];
  readonly said: string[] = [];
  constructor(private readonly steps: Step[]) {}

  private next(kind: 'select' | 'confirm' | 'input', message: string): Step {
    this.asked.push(`${kind}: ${message}`);
    const step = this.steps.shift();
    if (!step) throw new Error(`unexpected ${kind} prompt: ${message}`);
    if (step.match) expect(message).toMatch(step.match);
    if ('cancel' in step) throw new PromptCancelledError('cancelled; nothing was written');
    if (!(kind in step)) throw new Error(`expected ${Object.keys(step)[0]}, got ${kind}: ${message}`);
    return step;
  }

  async select<T>(message: string, choices: readonly Choice<T>[]): Promise<T> {
    const step = this.next('select', message) as { select: T };
    expect(choices.map((c) => c.value)).toContainEqual(step.select);
    return step.select;
  }

  async confirm(message: string): Promise<boolean> {
    return (this.next('confirm', message) as { confirm: boolean }).confirm;
  }

  async input(message: string, options?: { validate?: (v: string) => true | string }): Promise<string> {
    const step = this.next('input', message) as { input: string };
    const valid = options?.validate?.(step.input) ?? true;
    if (valid !== true) throw new Error(`scripted answer ${JSON.stringify(step.input)} was rejected: ${valid}`);
    return step.input;
  }

  say(text: string): void {
    this.said.push(text);
  }

  done(): void {
    expect(this.steps, 'unused scripted answers').toEqual([]);
  }
}
