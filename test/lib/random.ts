// Seeded random integers for the tests that compare an algorithm with its reference on many
// generated cases (the benchmark's PRNG: the same seed gives the same cases everywhere).
import { Rng } from '../../src/bench/prng.js';

/** `rnd(n)`: an integer in [0, n). */
export function randomInts(seed: number): (n: number) => number {
  const rng = new Rng(seed);
  return (n) => rng.int(0, n - 1);
}
