/**
 * The x86-64 code of translated SIMD shapes the backend fuses (translate + codegen):
 * pmin/pmax are one minps/maxps (minpd/maxpd), with and without AVX, and the
 * extending and pairwise shapes reach their single instructions. Behaviour (NaNs,
 * signed zeros) is the spec suite's and simd-diff's business; this checks the shape.
 */
import test from 'ava';
import { decodeModule } from '../../ts/wasm';
import { translateFunction } from '../../ts/translate';
import { Compiler } from '../../ts/codegen/compile';
import { BASELINE_FLAGS } from '../../ts/isa/x64/flags';
import { disassemble, objdumpTest } from '../isa/x64/objdump';
import { module, section, vec, functype, body, u32, V128, Bytes } from '../wasm/builder';

const fd = (sub: number): Bytes => [0xfd, ...u32(sub)];

/** Mnemonics of the code of `(v128, v128) -> v128` computing `op(local 0, local 1)`. */
function mnemonics(sub: number, baseline: boolean): string[] {
  const bytes = module(section(1, vec([functype([V128, V128], [V128])])), section(3, vec([[0]])),
    section(10, vec([body([], [0x20, 0x00, 0x20, 0x01, ...fd(sub), 0x0b])])));
  const f = translateFunction(decodeModule(bytes), 0);
  const cf = new Compiler().compile(f, { isa: baseline ? BASELINE_FLAGS : undefined });
  return disassemble(cf.code.subarray(0, cf.codeSize)).map((i) => i.text.split(/\s+/)[0]);
}

const CASES: [string, number, RegExp][] = [
  ['f32x4.pmin', 0xea, /^v?minps$/], ['f32x4.pmax', 0xeb, /^v?maxps$/],
  ['f64x2.pmin', 0xf6, /^v?minpd$/], ['f64x2.pmax', 0xf7, /^v?maxpd$/],
  ['i32x4.dot_i16x8_s', 0xba, /^v?pmaddwd$/],
];

for (const [n, sub, want] of CASES) {
  for (const baseline of [false, true]) {
    objdumpTest(`${n} is one instruction (${baseline ? 'SSE4.1' : 'host ISA'})`, (t) => {
      const m = mnemonics(sub, baseline);
      t.is(m.filter((x) => want.test(x)).length, 1, m.join(' '));
      t.false(m.some((x) => /^v?(cmp\w*p[sd]|pandn?|por|blendvp[sd]|pblendvb)$/.test(x)), m.join(' '));
    });
  }
}
