/**
 * Sets of record keys for de-duplication, small enough to keep a key for each of a million
 * records. No `vscode` and no Node modules.
 */
import type { Cdr } from './cdr';

/** A whole number written without sign, leading zeros or exponent: at most 16 digits. */
const CANONICAL_WHOLE_NUMBER = /^(?:0|[1-9]\d{0,15})$/;

/**
 * Returns the number that `text` writes when it is a whole number from 0 to 2^53 - 1 in its
 * shortest decimal form, otherwise undefined. `"7"` gives 7, while `"07"`, `"7.0"`, `"-7"` and
 * `"9007199254740992"` give undefined, so two different texts never give the same number.
 */
export function canonicalWholeNumber(text: string): number | undefined {
  if (!CANONICAL_WHOLE_NUMBER.test(text)) {
    return undefined;
  }
  const value = Number(text);
  return value <= Number.MAX_SAFE_INTEGER ? value : undefined;
}

/** Numbers per span: a number belongs to span `floor(value / 2^16)`, at offset `value % 2^16`. */
const CONTAINER_SPAN = 2 ** 16;
/** Words of a bitmap container, one bit per number of the span: 8 KiB. */
const BITMAP_WORDS = CONTAINER_SPAN / 32;
/**
 * Members above which a sorted-array container becomes a bitmap. A JavaScript array takes 8
 * bytes per element in Node 20 (no pointer compression), so the bitmap is the smaller one from
 * here on.
 */
const MAX_ARRAY_MEMBERS = 1024;

/**
 * The members of one span of 2^16 numbers, by their offset in the span: one offset as a number,
 * a few as a sorted array, many as a bitmap. A lone member needs no object of its own, so even
 * numbers far apart take no more memory than a Set of their texts would.
 */
type Container = number | number[] | Uint32Array;

/**
 * A set of whole numbers from 0 to 2^53 - 1, compressed as Roaring bitmaps are. The numbers are
 * grouped in spans of 2^16, and each span keeps its members as a single number, a sorted array
 * or a bitmap, by how many it has. Record ids that count up, as `i_cdr` does, are dense.
 *
 * Filled with a million numbers in descending order on Node 20 (x86-64), the set took 0.13 MB
 * when they were consecutive (16 bitmaps), 12 MB for every 1000th number and 29 MB with each in a
 * span of its own. A Set of their `i_cdr:NNNNNNN` texts took 77 MB.
 */
export class WholeNumberSet {
  private readonly containers = new Map<number, Container>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `value`, and returns false when the set contained it already. */
  add(value: number): boolean {
    checkMember(value);
    const span = Math.floor(value / CONTAINER_SPAN);
    const offset = value - span * CONTAINER_SPAN;
    const container = this.containers.get(span);
    let added: Container | undefined;
    if (container === undefined) {
      added = offset;
    } else if (typeof container === 'number') {
      added = container === offset ? undefined : [container, offset].sort(byNumber);
    } else if (Array.isArray(container)) {
      added = addToArray(container, offset);
    } else {
      added = addToBitmap(container, offset);
    }
    if (added === undefined) {
      return false;
    }
    if (added !== container) {
      this.containers.set(span, added);
    }
    this.count++;
    return true;
  }

  clear(): void {
    this.containers.clear();
    this.count = 0;
  }

  has(value: number): boolean {
    if (!Number.isSafeInteger(value) || value < 0) {
      return false;
    }
    const span = Math.floor(value / CONTAINER_SPAN);
    const offset = value - span * CONTAINER_SPAN;
    const container = this.containers.get(span);
    if (container === undefined) {
      return false;
    }
    if (typeof container === 'number') {
      return container === offset;
    }
    if (Array.isArray(container)) {
      return container[lowerBound(container, offset)] === offset;
    }
    return (container[offset >>> 5] & (1 << (offset & 31))) !== 0;
  }
}

function checkMember(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Invalid set member ${value}: expected a whole number from 0 to 2^53-1`);
  }
}

function byNumber(a: number, b: number): number {
  return a - b;
}

/**
 * Inserts `offset` into a sorted array and returns the container that now contains it: the same
 * array, or a bitmap once the array is too long. Returns undefined when `offset` was there.
 */
function addToArray(members: number[], offset: number): Container | undefined {
  const index = lowerBound(members, offset);
  if (members[index] === offset) {
    return undefined;
  }
  if (members.length < MAX_ARRAY_MEMBERS) {
    members.splice(index, 0, offset);
    return members;
  }
  const bitmap = new Uint32Array(BITMAP_WORDS);
  for (const member of members) {
    bitmap[member >>> 5] |= 1 << (member & 31);
  }
  bitmap[offset >>> 5] |= 1 << (offset & 31);
  return bitmap;
}

/** Sets the bit of `offset`, and returns undefined when it was set already. */
function addToBitmap(bitmap: Uint32Array, offset: number): Container | undefined {
  const word = offset >>> 5;
  const bit = 1 << (offset & 31);
  if ((bitmap[word] & bit) !== 0) {
    return undefined;
  }
  bitmap[word] |= bit;
  return bitmap;
}

/** Returns the index of the first member not below `offset`, or the length when there is none. */
function lowerBound(members: readonly number[], offset: number): number {
  let low = 0;
  let high = members.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (members[middle] < offset) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

/**
 * Keys of a set of records, with the meaning of `Cdr.key`: records with the same `i_cdr` text are
 * one record, and a record without a usable `i_cdr` is identified by its whole content. Ids in
 * plain decimal form, which TCXC assigns in increasing order, go to a {@link WholeNumberSet}, and
 * any other key is kept as text, shortened by `shorten` when one is given.
 */
export class RecordKeySet {
  private readonly ids = new WholeNumberSet();
  /** `i_cdr:<id>` keys of ids that are not whole numbers, and content keys. */
  private readonly others = new Set<string>();

  constructor(private readonly shorten: (key: string) => string = (key) => key) {}

  /** Number of distinct keys added. */
  get size(): number {
    return this.ids.size + this.others.size;
  }

  /** Adds the key of `cdr`, and returns false when the set contained it already. */
  add(cdr: Cdr): boolean {
    const id = cdr.iCdr === undefined ? undefined : canonicalWholeNumber(cdr.iCdr);
    if (id !== undefined) {
      return this.ids.add(id);
    }
    const key = this.textKey(cdr.key);
    if (this.others.has(key)) {
      return false;
    }
    this.others.add(key);
    return true;
  }

  has(cdr: Cdr): boolean {
    const id = cdr.iCdr === undefined ? undefined : canonicalWholeNumber(cdr.iCdr);
    return id !== undefined ? this.ids.has(id) : this.others.has(this.textKey(cdr.key));
  }

  clear(): void {
    this.ids.clear();
    this.others.clear();
  }

  /** Returns `i_cdr:<id>` keys as they are, and content keys through `shorten`. */
  private textKey(key: string): string {
    return key.startsWith('i_cdr:') ? key : this.shorten(key);
  }
}
