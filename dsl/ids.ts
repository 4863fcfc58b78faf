const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function isKebabId(id: string): boolean {
  return KEBAB.test(id);
}

/** Throws when `id` is not kebab-case; `what` names the thing ("step id", "runbook id"). */
export function assertKebabId(id: unknown, what: string): asserts id is string {
  if (typeof id !== 'string' || !KEBAB.test(id)) {
    throw new RunbookDefinitionError(
      `Bad ${what} ${JSON.stringify(id)}: ids are kebab-case (lowercase letters, digits and single dashes, e.g. "promote-standby"). Rename it.`,
    );
  }
}

/** A mistake in how a runbook is written (bad id, duplicate id, bad option). The CLI maps it to exit 2. */
export class RunbookDefinitionError extends Error {
  override readonly name = 'RunbookDefinitionError';
}

type Alnum = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k' | 'l' | 'm' | 'n' | 'o' | 'p' | 'q' | 'r' | 's' | 't' | 'u' | 'v' | 'w' | 'x' | 'y' | 'z' | '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';
/** The type-level twin of KEBAB: true when S is lowercase words of [a-z0-9] joined by single dashes. */
type IsKebab<S extends string, AfterDash extends boolean = true> = S extends `${infer H}${infer T}`
  ? H extends Alnum
    ? IsKebab<T, false>
    : H extends '-'
      ? AfterDash extends true ? false : T extends '' ? false : IsKebab<T, true>
      : false
  : AfterDash extends true ? false : true;

/** Compile-time id checks: the string literal type becomes an error message when the id is unusable. */
export type CheckNewId<Id extends string, Known> = string extends Id
  ? Id
  : Id extends keyof Known
    ? `ERROR: step id "${Id}" is already used in this runbook; step ids must be unique`
    : IsKebab<Id> extends true
      ? Id
      : `ERROR: step id "${Id}" must be kebab-case (lowercase words joined by single dashes)`;
