// Compose interpolation: each form the Compose reference lists, with FOO set, BAR set but empty
// and UNSET not set, as compose-go's own template tests use them.
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../../src/config/compose-interpolate.js';

const vars: Record<string, string> = { FOO: 'first', BAR: '' };
const lookup = (name: string) => (Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined);
const value = (t: string) => interpolate(t, lookup);

describe('Compose interpolation (docs.docker.com/reference/compose-file/interpolation)', () => {
  it.each([
    ['${FOO}', 'first'],
    ['$FOO', 'first'],
    ['$FOO-x', 'first-x'],
    ['${BAR:-default}', 'default'], // set but empty: `:-` takes the default
    ['${BAR-default}', ''], // set: `-` keeps the empty value
    ['${UNSET:-default}', 'default'],
    ['${UNSET-default}', 'default'],
    ['${FOO:-default}', 'first'],
    ['${FOO:+replacement}', 'replacement'],
    ['${BAR:+replacement}', ''],
    ['${BAR+replacement}', 'replacement'],
    ['${UNSET+replacement}', ''],
    ['${UNSET:-${FOO}}', 'first'],
    ['${UNSET:-${BAR:-default}}', 'default'],
    ['${UNSET-${FOO} ${FOO}}', 'first first'],
    ['+ok ${UNSET:-${BAR-defaultValue}}', '+ok '],
    ['${UNSET-myerror?msg}', 'myerror?msg'],
    ['${FOO?bar-baz}', 'first'],
    ['${BAR?err}', ''],
    ['$$FOO', '$FOO'],
    ['$${FOO}', '${FOO}'],
    ['cost: $5', 'cost: $5'], // no name after $: kept
    ['a $ b', 'a $ b'],
    ['${FOO}}', 'first}'],
  ])('%s -> %j', (template, expected) => {
    const r = value(template);
    expect(r.error).toBeUndefined();
    expect(r.value).toBe(expected);
  });

  it("the issue's case: BIND set but empty in .env, ${BIND:-127.0.0.1} is the default", () => {
    expect(interpolate('${BIND:-127.0.0.1}:18790:18790', (n) => (n === 'BIND' ? '' : undefined)).value).toBe('127.0.0.1:18790:18790');
    expect(interpolate('${BIND-127.0.0.1}:18790:18790', (n) => (n === 'BIND' ? '' : undefined)).value).toBe(':18790:18790');
  });

  it('required variables and invalid templates are errors, as Compose refuses them (named, never quoted)', () => {
    expect(value('${UNSET:?Mandatory Variable Unset}').error).toBe('required variable UNSET is missing a value');
    expect(value('${BAR:?must not be empty}').error).toBe('required variable BAR is missing a value');
    expect(value('${UNSET?}').error).toBe('required variable UNSET is missing a value');
    expect(value('${UNSET?Mandatory ${FOO}}').error).toBe('required variable UNSET is missing a value');
    expect(value('${}').error).toBe('an invalid ${...} expression');
    expect(value('sk-secret ${FOO').error).toBe('an invalid ${...} expression');
    expect(value('${FOO/a/b}').error).toBe('an invalid ${FOO...} expression'); // shell pattern substitution is not supported
    expect(value('${1FOO}').error).toBe('an invalid ${...} expression');
  });

  it('names the variables used while unset (Compose warns and uses "")', () => {
    expect(value('${UNSET}/$ALSO_UNSET ${UNSET_TOO:-x}')).toEqual({ value: '/ x', unset: ['UNSET', 'ALSO_UNSET'] });
  });
});
