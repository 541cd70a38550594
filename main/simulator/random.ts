/**
 * A small seeded random source (sfc32 seeded through splitmix32), so a scenario and every price move
 * are reproducible from a seed. Floats from here only choose things (which side, how many); money
 * is made from integers by the callers (see decimalBetween).
 */
import { Dec } from '../util/money.js';

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const HEX_DIGITS = '0123456789abcdef';
const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(n: number): string {
  return (
    (HEX_BYTES[n >>> 24] as string) +
    (HEX_BYTES[(n >>> 16) & 0xff] as string) +
    (HEX_BYTES[(n >>> 8) & 0xff] as string) +
    (HEX_BYTES[n & 0xff] as string)
  );
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const mix = splitmix32(seed);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A new independent stream; adding draws in one part of a build does not shift another. */
  fork(label: string): Rng {
    let h = this.uint32();
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    return new Rng(h);
  }

  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** In [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    if (max < min) throw new RangeError(`empty range ${min}..${max}`);
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A lowercase UUID v4 (8-4-4-4-12). */
  uuid(): string {
    const a = hex32(this.uint32());
    const b = hex32(this.uint32());
    const c = this.uint32();
    const d = hex32(this.uint32());
    const variant = HEX_DIGITS[((c >>> 28) & 0x3) | 0x8];
    const cHex = hex32(c);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${cHex.slice(1, 4)}-${cHex.slice(4)}${d}`;
  }

  /** A random decimal in [min, max] with the given number of places, made from an integer draw. */
  decimalBetween(min: string, max: string, places: number): Dec {
    const scale = new Dec(10).pow(places);
    const lo = new Dec(min).mul(scale).ceil();
    const hi = new Dec(max).mul(scale).floor();
    const span = hi.sub(lo).toNumber();
    return lo.add(this.int(0, Math.max(0, span))).div(scale);
  }

  /** n random digits as a string. */
  digits(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += String(this.int(0, 9));
    return out;
  }
}
