/**
 * Connections and clients an adapter keeps for the rest of a run (one SSH connection per target,
 * one pg client per DSN…). Opened on first use, shared by later steps, closed when the run ends.
 * A failed open is forgotten, so the next attempt (retry) tries again.
 */
export class RunResources {
  private readonly items = new Map<string, { readonly value: Promise<unknown>; readonly close: (v: unknown) => unknown }>();
  private closed = false;

  get<T>(key: string, open: () => Promise<T>, close: (value: T) => unknown): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`run resources are closed; cannot open ${key}`));
    const have = this.items.get(key);
    if (have) return have.value as Promise<T>;
    const value = open();
    this.items.set(key, { value, close: close as (v: unknown) => unknown });
    value.catch(() => {
      if (this.items.get(key)?.value === value) this.items.delete(key);
    });
    return value;
  }

  /** Drops one resource (e.g. a connection that broke) so the next `get` opens a fresh one. */
  async drop(key: string): Promise<void> {
    const have = this.items.get(key);
    if (!have) return;
    this.items.delete(key);
    await closeQuietly(have);
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    const all = [...this.items.values()];
    this.items.clear();
    await Promise.all(all.map(closeQuietly));
  }

  get size(): number {
    return this.items.size;
  }
}

async function closeQuietly(item: { readonly value: Promise<unknown>; readonly close: (v: unknown) => unknown }): Promise<void> {
  try {
    await item.close(await item.value);
  } catch {
    // A resource that failed to open or to close has nothing left to release.
  }
}
