/** Step ids from titles: kebab-case, a few words, unique within the runbook. */

export function slug(title: string, maxWords = 5): string {
  const words = title
    .toLowerCase()
    .replace(/^step\s*\d+\s*[:.)-]\s*/, '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  return words.slice(0, maxWords).join('-') || 'step';
}

export class IdPool {
  readonly #used = new Set<string>();
  take(title: string): string {
    const base = slug(title);
    let id = base;
    for (let i = 2; this.#used.has(id); i++) id = `${base}-${i}`;
    this.#used.add(id);
    return id;
  }
}

/** `tg-arn` → `tgArn`: a param name usable as `c.params.tgArn`. */
export function camel(name: string): string {
  const parts = name.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const out = parts.map((p, i) => (i === 0 ? p : p.charAt(0).toUpperCase() + p.slice(1))).join('');
  return /^[a-z]/.test(out) ? out : `p${out.charAt(0).toUpperCase()}${out.slice(1)}`;
}
