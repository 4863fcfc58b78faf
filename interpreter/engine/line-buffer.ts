/**
 * Cuts a stream into whole lines before it becomes events, so a secret is never split across two
 * events (which would defeat redaction). Partial lines are held until their newline or the end.
 */
export class LineBuffer {
  #pending = '';
  constructor(private readonly emit: (text: string) => void, private readonly maxPending = 64 * 1024) {}

  push(chunk: string): void {
    const s = this.#pending + chunk;
    const cut = s.lastIndexOf('\n');
    if (cut === -1) {
      this.#pending = s;
      if (s.length > this.maxPending) this.flush();
      return;
    }
    this.#pending = s.slice(cut + 1);
    this.emit(s.slice(0, cut + 1));
  }

  flush(): void {
    if (this.#pending === '') return;
    const s = this.#pending;
    this.#pending = '';
    this.emit(`${s}\n`);
  }
}
