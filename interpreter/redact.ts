export const REDACTED = '***';

/** Replaces every known secret (and its quoted / encoded forms) in strings and nested data. */
export class Redactor {
  #needles: string[] = [];

  add(secret: string): void {
    if (secret.length === 0) return;
    const forms = new Set([
      secret,
      JSON.stringify(secret).slice(1, -1),
      encodeURIComponent(secret),
      `'${secret.replace(/'/g, `'\\''`)}'`,
      // inside a larger quoted word (sh`echo ${c => 'pw=' + secret}` renders 'pw=p@ss w'\''rd'), only the inner escaping is left
      secret.replace(/'/g, `'\\''`),
      Buffer.from(secret).toString('base64'),
    ]);
    for (const f of forms) if (f.length > 0 && !this.#needles.includes(f)) this.#needles.push(f);
    this.#needles.sort((a, b) => b.length - a.length);
  }

  get active(): boolean {
    return this.#needles.length > 0;
  }

  text(s: string): string {
    if (this.#needles.length === 0) return s;
    let out = s;
    for (const n of this.#needles) if (out.includes(n)) out = out.split(n).join(REDACTED);
    return out;
  }

  /** Deep copy with secrets replaced; non-JSON values become their JSON form. */
  value<T>(v: T): T {
    if (this.#needles.length === 0) return v;
    return this.#walk(v, 0) as T;
  }

  #walk(v: unknown, depth: number): unknown {
    if (typeof v === 'string') return this.text(v);
    if (v === null || typeof v !== 'object' || depth > 50) return v;
    if (Array.isArray(v)) return v.map((x) => this.#walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = this.#walk(x, depth + 1);
    return out;
  }
}
