/**
 * Stand-ins for outputs a dry-run does not know: `c.steps.x.value` renders as `<steps.x.value>`,
 * in template strings, in String(), in JSON, and one level of property access deeper.
 */
const PLACEHOLDERS = new WeakSet<object>();

export function placeholder(path: string): unknown {
  const text = `<${path}>`;
  const target = function placeholderValue(): void {};
  const proxy: object = new Proxy(target, {
    get(_t, prop) {
      if (prop === Symbol.toPrimitive) return () => text;
      if (prop === 'toString' || prop === 'valueOf' || prop === 'toJSON') return () => text;
      if (typeof prop === 'symbol') return undefined;
      if (prop === 'then') return undefined; // not a promise
      return placeholder(`${path}.${prop}`);
    },
    apply() {
      return placeholder(`${path}(…)`);
    },
  });
  PLACEHOLDERS.add(proxy);
  return proxy;
}

export function isPlaceholder(v: unknown): boolean {
  return (typeof v === 'function' || typeof v === 'object') && v !== null && PLACEHOLDERS.has(v);
}

/** True when a rendered string contains a placeholder. */
export function mentionsPlaceholder(s: string): boolean {
  return /<(steps|params)\.[^>]+>/.test(s);
}
