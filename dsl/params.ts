import { RunbookDefinitionError } from './ids.js';

interface ParamBase {
  readonly description?: string;
  /** Environment variable read when no `-p` value is given. */
  readonly env?: string;
}

export type ParamSpec =
  | (ParamBase & { readonly type: 'string'; readonly default?: string; readonly optional?: boolean })
  | (ParamBase & { readonly type: 'number'; readonly default?: number; readonly optional?: boolean })
  | (ParamBase & { readonly type: 'boolean'; readonly default?: boolean; readonly optional?: boolean })
  | (ParamBase & { readonly type: 'enum'; readonly values: readonly string[]; readonly default?: string; readonly optional?: boolean })
  | (ParamBase & { readonly type: 'secret'; readonly optional?: boolean });

/** A declared param; `T` is the value type, `Opt` whether it may be absent at run time. */
export type Param<T, Opt extends boolean> = ParamSpec & { readonly __type?: T; readonly __optional?: Opt };

type Common = { description?: string; env?: string };
type OptionalFlag<O> = O extends { optional: true } ? (O extends { default: unknown } ? false : true) : false;

function declare<T, Opt extends boolean>(spec: ParamSpec): Param<T, Opt> {
  if ('default' in spec && spec.default !== undefined && spec.type === 'enum' && !spec.values.includes(spec.default)) {
    throw new RunbookDefinitionError(`param.enum default ${JSON.stringify(spec.default)} is not one of ${spec.values.join(', ')}.`);
  }
  return Object.freeze({ ...spec }) as Param<T, Opt>;
}

export const param = {
  string<O extends Common & { default?: string; optional?: boolean }>(o?: O): Param<string, OptionalFlag<O>> {
    return declare({ ...o, type: 'string' } as ParamSpec);
  },
  number<O extends Common & { default?: number; optional?: boolean }>(o?: O): Param<number, OptionalFlag<O>> {
    return declare({ ...o, type: 'number' } as ParamSpec);
  },
  boolean<O extends Common & { default?: boolean; optional?: boolean }>(o?: O): Param<boolean, OptionalFlag<O>> {
    return declare({ ...o, type: 'boolean' } as ParamSpec);
  },
  enum<const V extends readonly [string, ...string[]], O extends Common & { default?: V[number]; optional?: boolean }>(
    values: V,
    o?: O,
  ): Param<V[number], OptionalFlag<O>> {
    if (!Array.isArray(values) || values.length === 0) throw new RunbookDefinitionError('param.enum needs a non-empty list of allowed values.');
    return declare({ ...o, type: 'enum', values: [...values] } as ParamSpec);
  },
  /** A secret: never printed, journaled or reported. Read it from `env` rather than `-p` where you can. */
  secret<O extends Common & { optional?: boolean }>(o?: O): Param<string, O extends { optional: true } ? true : false> {
    return declare({ ...o, type: 'secret' } as ParamSpec);
  },
};

export type ParamsSpec = Readonly<Record<string, Param<unknown, boolean>>>;

/** The typed `c.params` object derived from the declarations. */
export type ParamValues<PS> = {
  readonly [K in keyof PS]: PS[K] extends Param<infer T, infer Opt> ? (Opt extends true ? T | undefined : T) : never;
};
