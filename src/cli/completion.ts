// `harden completion bash|zsh|fish`: shell completion generated from the command tree itself,
// so it never falls behind the flags.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';

interface Spec {
  name: string;
  options: { flag: string; choices?: readonly string[]; takesValue: boolean }[];
}

export function specs(program: Command): Spec[] {
  return program.commands.map((c) => ({
    name: c.name(),
    options: c.options
      .map((o) => ({ flag: o.long ?? o.short ?? '', ...(o.argChoices ? { choices: o.argChoices } : {}), takesValue: o.required || o.optional }))
      .filter((o) => o.flag !== ''),
  }));
}

export function bash(all: Spec[]): string {
  const cases = all
    .map((s) => {
      const values = s.options.filter((o) => o.choices).map((o) => `      ${o.flag}) COMPREPLY=($(compgen -W "${o.choices!.join(' ')}" -- "$cur")); return;;`);
      const files = s.options
        .filter((o) => o.takesValue && !o.choices)
        .map((o) => o.flag)
        .join('|');
      return `    ${s.name})\n      case "$prev" in\n${values.join('\n')}${files ? `\n      ${files}) COMPREPLY=($(compgen -f -- "$cur")); return;;` : ''}\n      esac\n      COMPREPLY=($(compgen -W "${s.options.map((o) => o.flag).join(' ')}" -- "$cur"));;`;
    })
    .join('\n');
  return `# bash completion for harden; load with: source <(harden completion bash)
_harden() {
  local cur prev cmd
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd="\${COMP_WORDS[1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${all.map((s) => s.name).join(' ')}" -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
  esac
}
complete -o default -F _harden harden
`;
}

export function zsh(all: Spec[]): string {
  const fns = all
    .map((s) => {
      const args = s.options
        .map((o) => `    '${o.flag}${o.takesValue ? `=[${o.flag.slice(2)}]:value:${o.choices ? `(${o.choices.join(' ')})` : '_files'}` : ''}'`)
        .join(' \\\n');
      return `_harden_${s.name.replace(/-/g, '_')}() {\n  _arguments \\\n${args}\n}`;
    })
    .join('\n');
  return `#compdef harden
# zsh completion for harden; load with: source <(harden completion zsh)
${fns}
_harden() {
  local -a commands
  commands=(${all.map((s) => `'${s.name}'`).join(' ')})
  if (( CURRENT == 2 )); then
    _describe 'command' commands
  else
    local fn="_harden_\${words[2]//-/_}"
    (( $+functions[$fn] )) && { shift words; (( CURRENT-- )); $fn; }
  fi
}
compdef _harden harden
`;
}

export function fish(all: Spec[]): string {
  const lines = ['# fish completion for harden; load with: harden completion fish | source', 'complete -c harden -f'];
  lines.push(`complete -c harden -n '__fish_use_subcommand' -a '${all.map((s) => s.name).join(' ')}'`);
  for (const s of all) {
    for (const o of s.options) {
      const long = o.flag.replace(/^--/, '');
      lines.push(
        `complete -c harden -n '__fish_seen_subcommand_from ${s.name}' -l ${long}${o.takesValue ? (o.choices ? ` -x -a '${o.choices.join(' ')}'` : ' -r -F') : ''}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

export function completion(program: Command, shell: string): string {
  const all = specs(program).filter((s) => s.name !== 'completion');
  if (shell === 'bash') return bash(all);
  if (shell === 'zsh') return zsh(all);
  if (shell === 'fish') return fish(all);
  throw new UsageError(`no completion for ${JSON.stringify(shell)}: use bash, zsh or fish`);
}
