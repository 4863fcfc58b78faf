/** Keeps the last `limit` characters of a stream: bounded memory whatever the output volume. */
export class TailBuffer {
  #chunks: string[] = [];
  #size = 0;
  #dropped = false;
  constructor(readonly limit: number) {}

  push(s: string): void {
    this.#chunks.push(s);
    this.#size += s.length;
    while (this.#size > this.limit && this.#chunks.length > 1) {
      this.#size -= (this.#chunks.shift() ?? '').length;
      this.#dropped = true;
    }
  }

  toString(): string {
    let s = this.#chunks.join('');
    if (s.length > this.limit) {
      s = s.slice(s.length - this.limit);
      this.#dropped = true;
    }
    return this.#dropped ? `…(earlier output dropped)\n${s}` : s;
  }
}
