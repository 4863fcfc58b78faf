import { appendFileSync } from 'node:fs';

let out;

export function initialize(data) {
  out = data.out;
}

export async function resolve(specifier, context, next) {
  if (out && !/^(\.|\/|node:|file:|data:)/.test(specifier)) appendFileSync(out, `${specifier}\n`);
  return next(specifier, context);
}
