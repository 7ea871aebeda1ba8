/**
 * Seeded pseudo-random source for the emulator's dataset: the same seed always yields the same
 * sequence, so generated call records are reproducible across runs and machines.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Returns the next value in [0, 1), using the mulberry32 generator (32-bit state). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Returns a whole number in [min, max], both ends included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Returns true with the given probability. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks an item with probability proportional to its `weight`. */
  pickWeighted<T extends { readonly weight: number }>(items: readonly T[]): T {
    let total = 0;
    for (const item of items) {
      total += item.weight;
    }
    let target = this.next() * total;
    for (const item of items) {
      target -= item.weight;
      if (target < 0) {
        return item;
      }
    }
    return items[items.length - 1];
  }

  /** Returns `length` random decimal digits. */
  digits(length: number): string {
    // Nine digits per draw stay below 2^32, the generator's resolution.
    let text = '';
    while (text.length < length) {
      text += String(Math.floor(this.next() * 1e9)).padStart(9, '0');
    }
    return text.slice(0, length);
  }

  /** Returns `byteCount` random bytes as lowercase hexadecimal, two digits per byte. */
  hex(byteCount: number): string {
    const bytes = Buffer.alloc(Math.ceil(byteCount / 4) * 4);
    for (let offset = 0; offset < bytes.length; offset += 4) {
      bytes.writeUInt32BE(Math.floor(this.next() * 4294967296), offset);
    }
    return bytes.toString('hex', 0, byteCount);
  }
}
