/** Pure: `ms` stretched by up to `ratio` at random, so workers woken together do not call together. */
export function withJitter(ms: number, ratio = 0.2, random: () => number = Math.random): number {
  return Math.round(ms * (1 + ratio * random()));
}
