/** Items registered by name by an owner (a plugin); each registration answers its own removal. */
export class NamedRegistry<T extends object> {
  private readonly items = new Map<string, { owner: string; item: T }>();

  constructor(private readonly kind: string) {}

  add(owner: string, name: string, item: T): () => void {
    const existing = this.items.get(name);
    if (existing) throw new Error(`${this.kind} "${name}" is already registered by ${existing.owner}`);
    const entry = { owner, item };
    this.items.set(name, entry);
    return () => {
      if (this.items.get(name) === entry) this.items.delete(name);
    };
  }

  get(name: string): T | undefined {
    return this.items.get(name)?.item;
  }

  list(): T[] {
    return [...this.items.values()].map((entry) => entry.item);
  }
}
