// Counts what each client holds at once (requests in flight, open connections) so that one client
// can never take more than its share of the upstream pools or of the listener.

export class ClientSlots {
  private readonly held = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Takes a slot for `key`; false when the client already holds `max` (nothing is taken then). */
  acquire(key: string): boolean {
    const count = this.held.get(key) ?? 0;
    if (count >= this.max) return false;
    this.held.set(key, count + 1);
    return true;
  }

  release(key: string): void {
    const count = this.held.get(key);
    if (count === undefined) return;
    // Deleting at zero keeps the map as small as the set of clients with something open.
    if (count <= 1) this.held.delete(key);
    else this.held.set(key, count - 1);
  }

  /** Slots held in all (tests: back to 0 when everything closed). */
  get total(): number {
    let sum = 0;
    for (const count of this.held.values()) sum += count;
    return sum;
  }
}
