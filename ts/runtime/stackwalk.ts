/**
 * Walking the wasm frames of a host call (runtime layer). A trap raised by a builtin is
 * a RuntimeError thrown by TypeScript, which cannot see the native stack; to show the
 * wasm frames in its stack, as a trap from a signal does, a tiny generated function
 * follows the rbp chain from the exit trampoline's frame and copies the return
 * addresses into the call area. Generated code keeps frame pointers (DESIGN.md), so
 * the chain is intact up to the entry trampoline.
 *
 * The walker stops at 64 frames, at a null or misaligned rbp, or when the chain does
 * not go up the stack. It runs as published code, so a bad read inside it is a trap
 * (CallStatus.Trap) rather than a crash: the walk then reports nothing.
 */
import { callArea, callAreaAddress, callRaw, CallStatus } from '../native/addon';
import { CodeSink } from '../isa/x64/encode-sink';
import { AluOp, Amode, Cond, aluRR, jccRel8, jmpRel8, movMR, movRM, movRR, ret, testRI, testRR } from '../isa/x64/encode';
import { Gpr } from '../isa/x64/regs';
import { publishCode } from '../jit/code-memory';
import { codeInfoAt } from './traps';

const MAX_FRAMES = 64;

let walker = 0;

/**
 * walker(rbp = rdi, _, out = rdx): out[0] = n, out[8 + 8k] = return address k.
 * Registers: rax cursor, rcx count, r8 return address, r9 next rbp.
 */
function emitWalker(): Uint8Array {
  const s = new CodeSink(128);
  const patches: { at: number; target: string }[] = [];
  const jcc = (cc: Cond, target: string): void => {
    jccRel8(s, cc, 0);
    patches.push({ at: s.cur() - 1, target });
  };
  movRR(s, 8, Gpr.RAX, Gpr.RDI);
  aluRR(s, AluOp.Xor, 4, Gpr.RCX, Gpr.RCX);
  const loop = s.cur();
  // if (count >= 64) done
  s.put1(0x83); s.put1(0xf9); s.put1(MAX_FRAMES); // cmp ecx, 64
  jcc(Cond.AE, 'done');
  testRR(s, 8, Gpr.RAX, Gpr.RAX);
  jcc(Cond.E, 'done');
  testRI(s, 1, Gpr.RAX, 7);
  jcc(Cond.NE, 'done');
  movRM(s, 8, Gpr.R8, Amode.base(Gpr.RAX, 8));
  movMR(s, 8, Amode.bi(Gpr.RDX, Gpr.RCX, 3, 8), Gpr.R8);
  s.put1(0xff); s.put1(0xc1); // inc ecx
  movRM(s, 8, Gpr.R9, Amode.base(Gpr.RAX, 0));
  aluRR(s, AluOp.Cmp, 8, Gpr.R9, Gpr.RAX);
  jcc(Cond.BE, 'done');
  movRR(s, 8, Gpr.RAX, Gpr.R9);
  jmpRel8(s, loop - (s.cur() + 2));
  const done = s.cur();
  movMR(s, 8, Amode.base(Gpr.RDX, 0), Gpr.RCX);
  ret(s);
  for (const p of patches) {
    const disp = done - (p.at + 1);
    s.data[p.at] = disp & 0xff;
  }
  return s.bytes();
}

/** Return addresses of the frames above the frame whose rbp is `rbp`, innermost first. */
export function walkFrames(rbp: number): number[] {
  if (walker === 0) walker = publishCode([{ bytes: emitWalker() }]).addresses[0];
  if (callRaw(walker, rbp, 0, callAreaAddress) !== CallStatus.Ok) return [];
  const n = callArea.getUint32(0, true);
  const out: number[] = new Array(n);
  for (let k = 0; k < n; k++) out[k] = callArea.getUint32(8 + 8 * k, true) + callArea.getUint32(12 + 8 * k, true) * 4294967296;
  return out;
}

/**
 * The frame lines (traps.ts CodeInfo.frame) of the wasm frames above the exit
 * trampoline frame whose rbp is `rbp`, innermost first: the frames of one activation,
 * up to its entry trampoline. The walk stops at the first return address outside
 * registered wasm code (the entry trampoline's), so the frames of outer activations,
 * further up behind JavaScript frames, are not included.
 */
export function activationFrameLines(rbp: number): string[] {
  const out: string[] = [];
  for (const ra of walkFrames(rbp)) {
    const info = codeInfoAt(ra);
    if (info === undefined) break;
    const line = info.frame(ra, true);
    if (line) out.push(line);
  }
  return out;
}
