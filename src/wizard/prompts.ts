// The wizard talks to the person through this port: inquirer for real (inquirer.ts), a scripted
// adapter in tests. Nothing else in the wizard knows how questions are asked.
export interface Choice<T> {
  value: T;
  name: string;
  description?: string;
}

export interface PromptAdapter {
  select<T>(message: string, choices: readonly Choice<T>[], defaultValue?: T): Promise<T>;
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
  /** validate returns true, or the sentence to show under the answer. */
  input(message: string, options?: { default?: string; validate?: (value: string) => true | string }): Promise<string>;
  /** Text between questions (already free of secrets). */
  say(text: string): void;
}
