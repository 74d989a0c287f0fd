// Dictionaries keyed by what a user wrote: channel names, provider names, rule ids, answers.
// A plain object answers `table["constructor"]`, `table["toString"]` and `table["__proto__"]`
// from Object.prototype, and `table["__proto__"] = x` replaces its prototype. A config, a flag or
// an answers file can hold any of those names, so every such table is made without a prototype
// (table), looked up by own key (own), or written with setOwn.

/** A frozen copy of `entries` with no prototype: looking up any name finds only these entries. */
export function table<T>(entries: Readonly<Record<string, T>>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}

/** An empty dictionary with no prototype, to fill with setOwn. */
export function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The entry for `key` when `object` has it as its own, never an inherited member. */
export function own<T>(object: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Set a key as json.load (and JSON.parse) would: "__proto__" too is a key, never the prototype. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
