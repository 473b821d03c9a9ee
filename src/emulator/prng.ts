/**
 * A tiny seeded PRNG (mulberry32). Faults and the generator draw from it so that the same
 * seed replays the same sequence: a flaky-looking test can be reproduced exactly.
 */
export type Random = () => number;

export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [min, max] inclusive. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

const HEX = '0123456789abcdef';

/**
 * `length` hex digits, one draw each. Built as an array and joined: a string grown by `+=` one
 * character at a time is a chain of V8 cons-string nodes (about 32 bytes per character), which a
 * stored id keeps for good; a 5,000-account seed of such ids did not fit in a 4 GB heap.
 */
export function randomHex(random: Random, length: number): string {
  const digits = new Array<string>(length);
  for (let i = 0; i < length; i += 1) digits[i] = HEX[Math.floor(random() * 16)] as string;
  return digits.join('');
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick() from an empty list');
  return item;
}
