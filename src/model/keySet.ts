import type { Cdr } from './cdr';

/** Ids per bucket: each bucket's bits fit in a small integer, which V8 stores without boxing. */
const BUCKET_BITS = 30;

/** Largest count of digits whose every value is exact in a JavaScript number. */
const MAX_EXACT_DIGITS = 15;

/**
 * The keys of a set of records, for de-duplication.
 *
 * TCXC numbers records with `i_cdr`, a whole number that grows as calls are written, so a page of
 * records contains a run of nearby ids. Such ids are kept as bits, 30 ids to an entry, which keeps
 * the table small enough to stay in the processor's cache: a million ids in order take about
 * 33,000 entries instead of a million strings. Every other key is kept as text.
 */
export class RecordKeySet {
  private readonly idBits = new Map<number, number>();
  private readonly otherKeys = new Set<string>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(cdr: Cdr): boolean {
    const id = numericId(cdr.iCdr);
    if (id < 0) {
      return this.otherKeys.has(cdr.key);
    }
    const bucket = Math.floor(id / BUCKET_BITS);
    return ((this.idBits.get(bucket) ?? 0) & (1 << (id - bucket * BUCKET_BITS))) !== 0;
  }

  /** Adds the key of `cdr`, and returns false when it was there already. */
  add(cdr: Cdr): boolean {
    const id = numericId(cdr.iCdr);
    if (id < 0) {
      if (this.otherKeys.has(cdr.key)) {
        return false;
      }
      this.otherKeys.add(cdr.key);
    } else {
      const bucket = Math.floor(id / BUCKET_BITS);
      const bits = this.idBits.get(bucket) ?? 0;
      const bit = 1 << (id - bucket * BUCKET_BITS);
      if ((bits & bit) !== 0) {
        return false;
      }
      this.idBits.set(bucket, bits | bit);
    }
    this.count++;
    return true;
  }

  clear(): void {
    this.idBits.clear();
    this.otherKeys.clear();
    this.count = 0;
  }
}

/**
 * Reads an id written as 1 to 15 digits without a leading zero, the only spelling of its number,
 * so that two different keys never share a number. Returns -1 for anything else.
 */
function numericId(text: string | undefined): number {
  if (text === undefined || text.length === 0 || text.length > MAX_EXACT_DIGITS) {
    return -1;
  }
  if (text.length > 1 && text.charCodeAt(0) === 48) {
    return -1;
  }
  let id = 0;
  for (let index = 0; index < text.length; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) {
      return -1;
    }
    id = id * 10 + digit;
  }
  return id;
}
