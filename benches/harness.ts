/**
 * Benchmark helpers: repeated timed rounds, medians and percentiles, tables.
 * The machine is noisy, so every figure is a median over rounds, and rows that
 * compare engines are measured interleaved in the same process.
 */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

export interface Stats {
  median: number;
  p10: number;
  p90: number;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
  return { median: at(0.5), p10: at(0.1), p90: at(0.9) };
}

/**
 * Runs each candidate for `rounds` rounds of `iterations` calls, interleaving the
 * candidates round by round, and returns ns per call samples for each.
 */
export function interleaved(candidates: Array<() => void>, iterations: number, rounds: number): number[][] {
  const out = candidates.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let c = 0; c < candidates.length; c++) {
      const f = candidates[c];
      const t0 = nowNs();
      for (let i = 0; i < iterations; i++) f();
      out[c].push((nowNs() - t0) / iterations);
    }
  }
  return out;
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  return [line(header), '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...rows.map(line)].join('\n');
}
