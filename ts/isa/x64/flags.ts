/**
 * ISA feature flags for x86-64 lowering (isa/x64): which instruction-set extensions
 * lowering may use. Detected once from the CPU through the addon; a compilation may
 * pass its own (tests force the baseline forms).
 *
 * Baseline is x86-64 with SSE4.1 (roundss/roundsd for floor/ceil/trunc/nearest,
 * pinsr/pextr, ptest); the others select shorter sequences when present.
 */
import { addon } from '../../native/addon';

export interface IsaFlags {
  sse41: boolean;
  /** pcmpgtq (i64x2 signed compares) */
  sse42: boolean;
  popcnt: boolean;
  lzcnt: boolean;
  /** tzcnt, andn */
  bmi1: boolean;
  /** shlx/shrx/sarx */
  bmi2: boolean;
  /** VEX three-operand forms */
  avx: boolean;
  avx2: boolean;
  /** vfmadd* (required by `fma`) */
  fma: boolean;
}

let detected: IsaFlags | undefined;

/** The host CPU's flags (cached). */
export function hostIsaFlags(): IsaFlags {
  if (detected === undefined) {
    const c = addon.cpuFeatures();
    detected = {
      sse41: c.sse41, sse42: c.sse42, popcnt: c.popcnt, lzcnt: c.lzcnt, bmi1: c.bmi1, bmi2: c.bmi2,
      avx: c.avx, avx2: c.avx2, fma: c.fma,
    };
  }
  return detected;
}

/** SSE4.1 only: no SSE4.2/popcnt/lzcnt/BMI/AVX/FMA (the fallback sequences). */
export const BASELINE_FLAGS: IsaFlags = {
  sse41: true, sse42: false, popcnt: false, lzcnt: false, bmi1: false, bmi2: false, avx: false, avx2: false, fma: false,
};
