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

/** Compile-time id checks: the string literal type becomes an error message when the id is unusable. */
export type CheckNewId<Id extends string, Known> = string extends Id
  ? Id
  : Id extends keyof Known
    ? `ERROR: step id "${Id}" is already used in this runbook; step ids must be unique`
    : Id extends Lowercase<Id>
      ? Id extends `${string}${' ' | '_' | '.' | '/'}${string}` | `-${string}` | `${string}-`
        ? `ERROR: step id "${Id}" must be kebab-case (lowercase words joined by single dashes)`
        : Id
      : `ERROR: step id "${Id}" must be kebab-case (lowercase words joined by single dashes)`;
