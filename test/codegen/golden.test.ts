/**
 * Golden disassembly (`test compile` style): each test/codegen/golden/*.clif holds
 * functions, then a line `; ==== expected ====` and, as comments, the listing of
 * every function compiled by the backend: objdump's disassembly (jump tables as
 * data), the constant pool, relocations, the trap table and the allocator's
 * figures. DERRICK_BLESS=1 rewrites the expected part after a review of the diff;
 * code-quality changes show up here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseClif } from '../../ts/ir/parser';
import { compileFunction, CompiledFunction } from '../../ts/codegen/compile';
import { BASELINE_FLAGS } from '../../ts/isa/x64/flags';
import { trapName } from '../../ts/ir/immediates';
import { disassemble, objdumpTest } from '../isa/x64/objdump';
import { repoRoot } from '../util/shared';

const DIR = path.join(repoRoot, 'test', 'codegen', 'golden');
const MARK = '; ==== expected ====';
const hex2 = (b: number): string => b.toString(16).padStart(2, '0');
const RELOC = ['call_pcrel4', 'pcrel4', 'abs8'];

export function listing(cf: CompiledFunction): string[] {
  const lines: string[] = [`function ${cf.name}: ${cf.codeSize} bytes, frame ${cf.frameSize}`];
  const bytes = cf.code;
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const jt = cf.jumpTables;
  let at = 0;
  for (let j = 0; j <= jt.length; j += 2) {
    const end = j < jt.length ? jt[j] : cf.codeSize;
    const ins = disassemble(bytes.subarray(at, end), [`--adjust-vma=${at}`]);
    for (let i = 0; i < ins.length; i++) {
      const next = i + 1 < ins.length ? ins[i + 1].offset : end;
      lines.push(`${ins[i].offset.toString(16).padStart(4, '0')}  ${Array.from(bytes.subarray(ins[i].offset, next), hex2).join(' ').padEnd(30)} ${ins[i].text}`);
    }
    if (j === jt.length) break;
    for (let e = 0; e < jt[j + 1]; e++) {
      const o = end + 4 * e;
      lines.push(`${o.toString(16).padStart(4, '0')}  ${Array.from(bytes.subarray(o, o + 4), hex2).join(' ').padEnd(30)} .long 0x${(end + dv.getInt32(o, true)).toString(16)} - table`);
    }
    at = end + 4 * jt[j + 1];
  }
  if (cf.code.length > cf.codeSize) lines.push(`pool: ${Array.from(cf.code.subarray(cf.codeSize), hex2).join(' ')}`);
  for (const r of cf.relocs) lines.push(`reloc 0x${r.offset.toString(16)}: ${RELOC[r.kind]} ${r.name}${r.addend !== 0 ? ` ${r.addend}` : ''}`);
  if (cf.trapOffsets.length > 0) lines.push(`traps: ${Array.from(cf.trapOffsets, (o, k) => `0x${o.toString(16)} ${trapName(cf.trapCodes[k])}`).join(', ')}`);
  lines.push(`stats: ${cf.stats.irInsts} IR, ${cf.stats.vcodeInsts} vcode, ${cf.stats.spills} spills, ${cf.stats.reloads} reloads, ${cf.stats.moves} moves`);
  return lines;
}

const files = fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((f) => f.endsWith('.clif')).sort() : [];
for (const name of files) {
  objdumpTest(`golden ${name}`, (t) => {
    const file = path.join(DIR, name);
    const src = fs.readFileSync(file, 'utf8');
    const at = src.indexOf(MARK);
    const input = at >= 0 ? src.slice(0, at) : src;
    const out: string[] = [];
    // the baseline ISA plus the extensions the functions need, fixed so the listing does not depend on the CPU;
    // `target x86_64 has_avx` (or `has_sse42`) in the file selects those forms too
    const flags = (/^target x86_64(.*)$/m.exec(input)?.[1] ?? '').split(/\s+/);
    const avx = flags.includes('has_avx');
    const isa = { ...BASELINE_FLAGS, popcnt: true, lzcnt: true, bmi1: true, fma: true, avx, avx2: avx, sse42: avx || flags.includes('has_sse42') };
    for (const pf of parseClif(input, name).functions) {
      out.push(...listing(compileFunction(pf.func, { check: true, isa })), '');
    }
    const expected = input.trimEnd() + '\n\n' + MARK + '\n' + out.map((l) => (l === '' ? ';' : `; ${l}`)).join('\n') + '\n';
    if (process.env.DERRICK_BLESS === '1') {
      fs.writeFileSync(file, expected);
      t.pass();
      return;
    }
    t.is(src, expected, `${name} differs; review and rerun with DERRICK_BLESS=1`);
  });
}
