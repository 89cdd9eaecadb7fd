/**
 * Golden disassembly: a whole function built the way emission will build one (frame,
 * stack check with a trap, a loop, a float constant, a call with a relocation, a
 * br_table, an epilogue) through MachBuffer and the encoder, disassembled by objdump
 * and compared with `golden/*.dis`. Run with DERRICK_BLESS=1 to rewrite the files
 * after reviewing the new listing; a missing file fails unless blessing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MachBuffer } from '../../ts/machinst/buffer';
import * as E from '../../ts/isa/x64/encode';
import { Amode, AluOp, Cond, SseOp } from '../../ts/isa/x64/encode';
import { Gpr } from '../../ts/isa/x64/regs';
import { disassemble, objdumpTest } from '../isa/x64/objdump';
import { repoRoot } from '../util/shared';

const GOLDEN = path.join(repoRoot, 'test', 'machinst', 'golden');

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');

/** Disassemble the code, printing jump tables as data rather than decoding them. */
function listing(bytes: Uint8Array, codeSize: number, jumpTables: Int32Array): string {
  const lines: string[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  let at = 0;
  for (let j = 0; j <= jumpTables.length; j += 2) {
    const end = j < jumpTables.length ? jumpTables[j] : codeSize;
    const ins = disassemble(bytes.subarray(at, end), [`--adjust-vma=${at}`]);
    for (let i = 0; i < ins.length; i++) {
      const next = i + 1 < ins.length ? ins[i + 1].offset : end;
      const hex = Array.from(bytes.subarray(ins[i].offset, next), hex2).join(' ');
      lines.push(`${ins[i].offset.toString(16).padStart(4, '0')}  ${hex.padEnd(30)} ${ins[i].text}`);
    }
    if (j === jumpTables.length) break;
    for (let e = 0; e < jumpTables[j + 1]; e++) {
      const o = end + 4 * e;
      const hex = Array.from(bytes.subarray(o, o + 4), hex2).join(' ');
      lines.push(`${o.toString(16).padStart(4, '0')}  ${hex.padEnd(30)} .long table+0x${dv.getInt32(o, true).toString(16)}`);
    }
    at = end + 4 * jumpTables[j + 1];
  }
  const pool = Array.from(bytes.subarray(codeSize), (b) => b.toString(16).padStart(2, '0')).join(' ');
  lines.push(`pool: ${pool}`);
  return lines.join('\n') + '\n';
}

function checkGolden(t: import('ava').ExecutionContext, name: string, text: string): void {
  const file = path.join(GOLDEN, `${name}.dis`);
  if (process.env.DERRICK_BLESS === '1') {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, text);
    t.pass(`blessed ${file}`);
    return;
  }
  if (!fs.existsSync(file)) {
    t.fail(`${file} is missing; run with DERRICK_BLESS=1 to create it`);
    return;
  }
  t.is(text, fs.readFileSync(file, 'utf8'));
}

/** sum(i32 arr[n]) as f32 + 1.5, then call fn#3, then dispatch on the result. */
function buildSumFunction(b: MachBuffer): void {
  const stackOverflow = b.newLabel();
  const loop = b.newLabel();
  const done = b.newLabel();
  const exit = b.newLabel();
  const cases = [b.newLabel(), b.newLabel()];
  // Prologue: frame pointer, one callee-save, stack-limit check against vmctx (rdi).
  E.push(b, Gpr.RBP);
  E.movRR(b, 8, Gpr.RBP, Gpr.RSP);
  E.push(b, Gpr.RBX);
  E.aluRI(b, AluOp.Sub, 8, Gpr.RSP, 8);
  E.aluRM(b, AluOp.Cmp, 8, Gpr.RSP, Amode.base(Gpr.RDI, 0x10));
  b.jcc(Cond.B, stackOverflow);
  // Body: eax = sum of rdx[0..esi).
  E.aluRR(b, AluOp.Xor, 4, Gpr.RAX, Gpr.RAX);
  E.aluRR(b, AluOp.Xor, 4, Gpr.RCX, Gpr.RCX);
  b.bindLabel(loop);
  E.aluRR(b, AluOp.Cmp, 4, Gpr.RCX, Gpr.RSI);
  b.jcc(Cond.AE, done);
  b.startSrcloc(0x42);
  b.addTrap(1); // heap out of bounds
  E.aluRM(b, AluOp.Add, 4, Gpr.RAX, Amode.bi(Gpr.RDX, Gpr.RCX, 2, 0));
  b.endSrcloc();
  E.aluRI(b, AluOp.Add, 4, Gpr.RCX, 1);
  b.jmp(loop);
  b.bindLabel(done);
  E.sseRM(b, SseOp.MOVSS, 0, Amode.rip(b.constant32(0x3fc00000)));
  E.sseRR(b, SseOp.CVTSI2SS, 1, Gpr.RAX);
  E.sseRR(b, SseOp.ADDSS, 0, 1);
  E.callReloc(b, 3);
  b.brTable(Gpr.RAX, Gpr.R11, [cases[0], cases[1]], exit);
  b.bindLabel(cases[0]);
  E.sseRR(b, SseOp.XORPS, 0, 0);
  b.jmp(exit);
  b.bindLabel(cases[1]);
  E.sseRM(b, SseOp.MULSS, 0, Amode.rip(b.constant32(0x3fc00000)));
  b.jmp(exit);
  // Epilogue.
  b.bindLabel(exit);
  E.aluRI(b, AluOp.Add, 8, Gpr.RSP, 8);
  E.pop(b, Gpr.RBX);
  E.pop(b, Gpr.RBP);
  E.ret(b);
  // Cold: stack overflow trap.
  b.bindLabel(stackOverflow);
  b.addTrap(2);
  E.ud2(b);
}

objdumpTest('golden: a whole function through MachBuffer', (t) => {
  const b = new MachBuffer();
  buildSumFunction(b);
  const r = b.finish();
  let text = listing(r.bytes, r.codeSize, r.jumpTables);
  text += `relocs: ${Array.from(r.relocOffsets).map((o, i) => `${o.toString(16)}:kind${r.relocKinds[i]}:fn${r.relocTargets[i]}${r.relocAddends[i]}`).join(' ')}\n`;
  text += `traps: ${Array.from(r.trapOffsets).map((o, i) => `${o.toString(16)}:${r.trapCodes[i]}`).join(' ')}\n`;
  text += `srclocs: ${Array.from(r.srclocStarts).map((s, i) => `[${s.toString(16)},${r.srclocEnds[i].toString(16)})->${r.srclocLocs[i].toString(16)}`).join(' ')}\n`;
  checkGolden(t, 'sum-function', text);
});
