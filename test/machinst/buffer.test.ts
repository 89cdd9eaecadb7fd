/**
 * MachBuffer: branch relaxation, tail-branch peepholes, label aliasing, constant pool,
 * jump tables, relocations, traps and source locations — exact bytes, objdump, and a
 * seeded random test that runs the control flow of the finished code (as decoded by
 * objdump) against the control flow of the program as written.
 */
import test from 'ava';
import { MachBuffer, MachBufferFinalized } from '../../ts/machinst/buffer';
import * as E from '../../ts/isa/x64/encode';
import { Amode, Cond, SseOp } from '../../ts/isa/x64/encode';
import { RelocKind } from '../../ts/isa/x64/encode-sink';
import { Gpr } from '../../ts/isa/x64/regs';
import { disassemble, objdumpTest } from '../isa/x64/objdump';

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

function nops(n: number): string {
  return Array(n).fill('90').join(' ');
}

/** n one-byte nops (so that byte counts are exact and objdump sees n instructions). */
function pad(b: MachBuffer, n: number): void {
  for (let i = 0; i < n; i++) b.put1(0x90);
}

test('forward and backward short jumps', (t) => {
  const b = new MachBuffer();
  const l = b.newLabel();
  const top = b.newLabel();
  b.bindLabel(top);
  E.int3(b); // (without it, top would be a block holding only `jmp l`: an alias of l)
  b.jmp(l);
  pad(b, 3);
  b.bindLabel(l);
  pad(b, 1);
  b.jcc(Cond.NE, top);
  E.ret(b);
  const r = b.finish();
  // eb 03: over three nops; 75 f7: from 9 back to 0.
  t.is(hex(r.bytes), `cc eb 03 ${nops(3)} 90 75 f7 c3`);
  t.deepEqual(Array.from(r.labelOffsets), [6, 0]);
  t.is(r.shortBranches, 2);
});

test('relaxation at the rel8 boundary, both directions', (t) => {
  for (const [n, expect] of [[127, 'eb 7f'], [128, 'e9 80 00 00 00']] as const) {
    const b = new MachBuffer();
    const l = b.newLabel();
    b.jmp(l);
    pad(b, n);
    b.bindLabel(l);
    E.ret(b);
    const r = b.finish();
    t.is(hex(r.bytes.subarray(0, r.bytes.length - n - 1)), expect, `forward over ${n}`);
  }
  // Backward: disp = -(n + 2) short; -(n + 6) long for jcc.
  for (const [n, expect] of [[126, '74 80'], [127, '0f 84 7b ff ff ff']] as const) {
    const b = new MachBuffer();
    const l = b.newLabel();
    b.bindLabel(l);
    pad(b, n);
    b.jcc(Cond.E, l);
    const r = b.finish();
    t.is(hex(r.bytes.subarray(n)), expect, `backward over ${n}`);
  }
});

test('relaxation cascades: one branch growing pushes another out of rel8 range', (t) => {
  const b = new MachBuffer();
  const l1 = b.newLabel();
  const l2 = b.newLabel();
  b.jcc(Cond.E, l1); // over B (2 or 6 bytes) + 124: fits only if B stays short
  b.jcc(Cond.NE, l2); // over 124 + 200: long
  pad(b, 124);
  b.bindLabel(l1);
  pad(b, 200);
  b.bindLabel(l2);
  E.ret(b);
  const r = b.finish();
  // A: 0f 84 disp 6+124 = 130; B: 0f 85 disp 124+200 = 324.
  t.is(hex(r.bytes.subarray(0, 12)), '0f 84 82 00 00 00 0f 85 44 01 00 00');
  t.is(r.longBranches, 2);
  t.deepEqual(Array.from(r.labelOffsets), [136, 336]);
});

test('peephole: a branch to the next instruction is deleted', (t) => {
  const b = new MachBuffer();
  const l = b.newLabel();
  const m = b.newLabel();
  E.int3(b);
  b.jcc(Cond.E, l);
  b.jmp(l);
  b.bindLabel(l);
  b.jmp(m);
  b.bindLabel(m);
  E.ret(b);
  const r = b.finish();
  t.is(hex(r.bytes), 'cc c3');
  t.deepEqual(Array.from(r.labelOffsets), [1, 1]);
});

test('peephole: jcc A; jmp B; A: becomes jcc !cc B', (t) => {
  const b = new MachBuffer();
  const a = b.newLabel();
  const bb = b.newLabel();
  b.bindLabel(bb);
  E.int3(b);
  b.jcc(Cond.L, a);
  b.jmp(bb);
  b.bindLabel(a);
  E.ret(b);
  const r = b.finish();
  // jge back to 0: 7d fd
  t.is(hex(r.bytes), 'cc 7d fd c3');
});

test('peephole: no inversion when a label names the jmp itself', (t) => {
  const b = new MachBuffer();
  const a = b.newLabel();
  const z = b.newLabel();
  b.jcc(Cond.E, a);
  b.bindLabel(z);
  b.jmp(z); // z: jmp z cannot be aliased away, and z must keep pointing at it
  b.bindLabel(a);
  E.ret(b);
  const r = b.finish();
  t.is(hex(r.bytes), '74 02 eb fe c3');
});

test('label aliasing: a block that is only `jmp Y` forwards its uses to Y', (t) => {
  const b = new MachBuffer();
  const x = b.newLabel();
  const y = b.newLabel();
  b.jcc(Cond.E, x);
  E.ret(b);
  b.bindLabel(x);
  b.jmp(y);
  pad(b, 10);
  b.bindLabel(y);
  E.ret(b);
  const r = b.finish();
  // je goes straight to y (15): disp 13; the jmp itself stays (reached by fallthrough? no:
  // after ret, but the buffer cannot know that ret does not fall through).
  t.is(hex(r.bytes), `74 0d c3 eb 0a ${nops(10)} c3`);
  t.is(r.labelOffsets[x], 15);
});

test('tail: jcc X; jmp top; X: is inverted rather than kept', (t) => {
  const b = new MachBuffer();
  const x = b.newLabel();
  const y = b.newLabel();
  const top = b.newLabel();
  b.bindLabel(top);
  b.jcc(Cond.B, x);
  b.jmp(top);
  b.bindLabel(x);
  b.jmp(y);
  pad(b, 2);
  b.bindLabel(y);
  E.ret(b);
  const r = b.finish();
  // jb x; jmp top; x: => jae top; x: jmp y (x an alias of y).
  t.is(hex(r.bytes), '73 fe eb 02 90 90 c3');
  t.is(r.labelOffsets[x], 6);
});

test('label aliasing: a jmp after an unconditional jmp with no label left is dropped', (t) => {
  const b = new MachBuffer();
  const x = b.newLabel();
  const y = b.newLabel();
  const top = b.newLabel();
  b.bindLabel(top);
  E.int3(b);
  b.jcc(Cond.B, x);
  E.int3(b);
  b.jmp(top);
  b.bindLabel(x);
  b.jmp(y); // x -> y; this jmp is only reachable through x, so it goes
  pad(b, 2);
  b.bindLabel(y);
  E.ret(b);
  const r = b.finish();
  t.is(hex(r.bytes), 'cc 72 05 cc eb fa 90 90 c3');
  t.is(r.labelOffsets[x], 8);
});

objdumpTest('constant pool: aligned, deduplicated, RIP-relative (checked by objdump)', (t) => {
  const b = new MachBuffer();
  const c1 = b.constant32(0x3f800000);
  const c2 = b.constant64(0, 0x3ff00000);
  const c3 = b.constant32(0x3f800000);
  const v = new Uint8Array(16).map((_, i) => i);
  const c4 = b.addConstant(v);
  t.is(c3, c1);
  E.sseRM(b, SseOp.MOVSS, 0, Amode.rip(c1));
  E.sseRM(b, SseOp.MOVSD, 9, Amode.rip(c2));
  E.sseRM(b, SseOp.MOVDQA, 15, Amode.rip(c4));
  E.sseRMI(b, SseOp.ROUNDSS, 1, Amode.rip(c3), 4);
  E.aluMI(b, E.AluOp.Cmp, 4, Amode.rip(c1), 0x12345678);
  E.ret(b);
  const r = b.finish();
  // pool: 16-byte constant first at the next 16-aligned offset, then 8, then 4.
  const pool = (r.codeSize + 15) & ~15;
  t.is(r.labelOffsets[c4], pool);
  t.is(r.labelOffsets[c2], pool + 16);
  t.is(r.labelOffsets[c1], pool + 24);
  t.is(r.bytes.length, pool + 28);
  t.true(pool > r.codeSize, 'this layout needs padding');
  t.true(r.bytes.subarray(r.codeSize, pool).every((x) => x === 0xcc), 'padding is int3');
  t.is(hex(r.bytes.subarray(pool)), '00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 00 00 00 00 00 00 f0 3f 00 00 80 3f');
  const ins = disassemble(r.bytes.subarray(0, r.codeSize));
  const h = (n: number): string => '0x' + n.toString(16);
  t.deepEqual(ins.map((i) => i.text), [
    `movss xmm0,DWORD PTR [rip=${h(pool + 24)}]`,
    `movsd xmm9,QWORD PTR [rip=${h(pool + 16)}]`,
    `movdqa xmm15,XMMWORD PTR [rip=${h(pool)}]`,
    `roundss xmm1,DWORD PTR [rip=${h(pool + 24)}],0x4`,
    `cmp DWORD PTR [rip=${h(pool + 24)}],0x12345678`,
    'ret',
  ]);
});

objdumpTest('br_table: bounds check, inline table of offsets relative to the table', (t) => {
  const b = new MachBuffer();
  const targets = [b.newLabel(), b.newLabel(), b.newLabel()];
  const dflt = b.newLabel();
  b.brTable(Gpr.RDI, Gpr.R11, [targets[0], targets[1], targets[0], targets[2]], dflt);
  for (let i = 0; i < 3; i++) {
    b.bindLabel(targets[i]);
    E.movRI32(b, 0, i);
    E.ret(b);
  }
  b.bindLabel(dflt);
  E.ud2(b);
  const r = b.finish();
  const ins = disassemble(r.bytes.subarray(0, 22));
  t.deepEqual(ins.map((i) => i.text), [
    'cmp edi,0x4',
    'jae 0x38', // short: the default is at 22 + 16 + 3*6 = 56
    'lea r11,[rip=0x16]',
    'movsxd rdi,DWORD PTR [r11+rdi*4]',
    'add r11,rdi',
    'jmp r11',
  ]);
  const dv = new DataView(r.bytes.buffer, r.bytes.byteOffset);
  const table = 0x16;
  const entries = [0, 1, 2, 3].map((i) => dv.getInt32(table + 4 * i, true));
  const off = (l: number): number => r.labelOffsets[l] - table;
  t.deepEqual(entries, [off(targets[0]), off(targets[1]), off(targets[0]), off(targets[2])]);
  t.deepEqual(entries, [16, 22, 16, 28]);
  t.is(r.labelOffsets[dflt], 0x38);
});

test('relocations, traps and source locations move with relaxed branches', (t) => {
  const b = new MachBuffer();
  const far = b.newLabel();
  b.startSrcloc(100);
  b.jcc(Cond.O, far); // becomes rel32: 6 bytes
  b.endSrcloc();
  b.startSrcloc(101);
  E.callReloc(b, 7);
  b.addCallSite();
  b.endSrcloc();
  b.addTrap(3);
  E.ud2(b);
  E.movabsReloc(b, 1, 9, 16);
  pad(b, 200);
  b.bindLabel(far);
  E.ret(b);
  const r = b.finish();
  t.deepEqual(Array.from(r.relocOffsets), [7, 15]);
  t.deepEqual(Array.from(r.relocKinds), [RelocKind.X86CallPCRel4, RelocKind.Abs8]);
  t.deepEqual(Array.from(r.relocTargets), [7, 9]);
  t.deepEqual(Array.from(r.relocAddends), [-4, 16]);
  t.deepEqual(Array.from(r.callSites), [11]);
  t.deepEqual(Array.from(r.trapOffsets), [11]);
  t.deepEqual(Array.from(r.trapCodes), [3]);
  t.deepEqual(Array.from(r.srclocStarts), [0, 6]);
  t.deepEqual(Array.from(r.srclocEnds), [6, 11]);
  t.deepEqual(Array.from(r.srclocLocs), [100, 101]);
  t.is(hex(r.bytes.subarray(0, 7)), '0f 80 d9 00 00 00 e8');
});

test('a deleted branch inside a source-location range leaves the range empty', (t) => {
  const b = new MachBuffer();
  const l = b.newLabel();
  E.int3(b);
  b.startSrcloc(5);
  b.jmp(l);
  b.endSrcloc();
  b.bindLabel(l);
  E.ret(b);
  const r = b.finish();
  t.is(hex(r.bytes), 'cc c3');
  t.deepEqual(Array.from(r.srclocStarts), [1]);
  t.deepEqual(Array.from(r.srclocEnds), [1]);
});

test('reset gives the same bytes as a fresh buffer', (t) => {
  const emit = (b: MachBuffer, n: number): MachBufferFinalized => {
    const l = b.newLabel();
    b.jmp(l);
    pad(b, n);
    b.bindLabel(l);
    b.constant32(n);
    E.ret(b);
    return b.finish();
  };
  const b = new MachBuffer();
  emit(b, 300);
  b.reset();
  const again = emit(b, 5);
  const fresh = emit(new MachBuffer(), 5);
  t.is(hex(again.bytes), hex(fresh.bytes));
});

// ---- Random control flow, run through objdump ---------------------------------------

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const enum It { Marker, Pad, Jmp, Jcc, Bind, Ret, Trap, Lea }
type Item = [It, number, number];

function randomProgram(r: () => number): { items: Item[]; nLabels: number } {
  const nLabels = 2 + Math.floor(r() * 12);
  const items: Item[] = [];
  const unbound: number[] = [];
  for (let l = 0; l < nLabels; l++) unbound.push(l);
  let marker = 1;
  while (unbound.length > 0) {
    const p = r();
    if (p < 0.2) {
      const i = Math.floor(r() * unbound.length);
      items.push([It.Bind, unbound[i], 0]);
      unbound.splice(i, 1);
    } else if (p < 0.4) items.push([It.Marker, marker++, 0]);
    else if (p < 0.55) items.push([It.Pad, r() < 0.5 ? Math.floor(r() * 8) : Math.floor(r() * 140), 0]);
    else if (p < 0.7) items.push([It.Jmp, Math.floor(r() * nLabels), 0]);
    else if (p < 0.9) items.push([It.Jcc, Math.floor(r() * nLabels), Math.floor(r() * 16)]);
    else if (p < 0.94) items.push([It.Lea, Math.floor(r() * nLabels), 0]);
    else if (p < 0.97) items.push([It.Trap, Math.floor(r() * 10), 0]);
    else items.push([It.Ret, 0, 0]);
  }
  items.push([It.Marker, marker++, 0]);
  items.push([It.Ret, 0, 0]);
  return { items, nLabels };
}

/** Which conditions hold in a run: a random bit per even cc; cc ^ 1 is its negation. */
function holds(flags: number, cc: number): boolean {
  return (((flags >> (cc >> 1)) & 1) ^ (cc & 1)) === 1;
}

const STEPS = 60;

/** Markers visited by the program as written. */
function runItems(items: Item[], flags: number): number[] {
  const where = new Map<number, number>();
  items.forEach((it, i) => { if (it[0] === It.Bind) where.set(it[1], i); });
  const out: number[] = [];
  let pc = 0;
  for (let steps = 0; steps < 10000 && out.length < STEPS && pc < items.length; steps++) {
    const [k, a, c] = items[pc];
    if (k === It.Ret) break;
    if (k === It.Trap) { out.push(1000 + a); break; }
    if (k === It.Marker) out.push(a);
    if (k === It.Jmp || (k === It.Jcc && holds(flags, c))) pc = where.get(a)!;
    else pc++;
  }
  return out;
}

function emitItems(b: MachBuffer, items: Item[], nLabels: number): void {
  for (let l = 0; l < nLabels; l++) b.newLabel();
  for (const [k, a, c] of items) {
    switch (k) {
      // Markers and jumps carry source locations (the marker id; 5000 + label for jumps),
      // so that deleted jumps exercise the range fix-ups.
      case It.Marker: b.startSrcloc(a); E.movRI32(b, 0, a); b.endSrcloc(); break;
      case It.Pad: E.nop(b, a); break;
      case It.Jmp: b.startSrcloc(5000 + a); b.jmp(a); b.endSrcloc(); break;
      case It.Trap: b.addTrap(a); E.ud2(b); break;
      case It.Lea: E.lea(b, 8, 1, Amode.rip(a)); break;
      case It.Jcc: b.jcc(c as Cond, a); break;
      case It.Bind: b.bindLabel(a); break;
      case It.Ret: E.ret(b); break;
    }
  }
}

const CCS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

/** Markers visited by the decoded machine code. */
function runDecoded(ins: { offset: number; text: string }[], base: number, end: number, flags: number,
  trapAt: Map<number, number>): number[] {
  const at = new Map<number, number>();
  ins.forEach((x, i) => at.set(x.offset, i));
  const out: number[] = [];
  let i = at.get(base)!;
  for (let steps = 0; steps < 10000 && out.length < STEPS; steps++) {
    if (i === undefined || ins[i].offset >= end) throw new Error(`ran off the code at step ${steps}`);
    const text = ins[i].text;
    const sp = text.indexOf(' ');
    const mn = sp < 0 ? text : text.slice(0, sp);
    const arg = sp < 0 ? '' : text.slice(sp + 1);
    if (mn === 'ret') break;
    if (mn === 'ud2') { out.push(1000 + trapAt.get(ins[i].offset - base)!); break; }
    if (mn === 'lea') { i++; continue; }
    if (mn === 'mov') { out.push(parseInt(arg.split(',')[1], 16)); i++; continue; }
    if (mn === 'nop' || mn === 'xchg') { i++; continue; }
    let taken: boolean;
    if (mn === 'jmp') taken = true;
    else if (mn[0] === 'j' && CCS.includes(mn.slice(1))) taken = holds(flags, CCS.indexOf(mn.slice(1)));
    else throw new Error(`unexpected instruction '${text}'`);
    if (taken) {
      const dest = parseInt(arg, 16);
      i = at.get(dest)!;
      if (i === undefined) throw new Error(`jump into the middle of an instruction: ${text}`);
    } else i++;
  }
  return out;
}

objdumpTest('random control flow: finished code runs like the program as written', (t) => {
  const r = rng(0xd3e21c);
  const programs: { items: Item[]; start: number; end: number; fin: MachBufferFinalized }[] = [];
  const chunks: Uint8Array[] = [];
  let total = 0;
  const b = new MachBuffer();
  let removed = 0;
  let written = 0;
  let shortN = 0;
  let longN = 0;
  for (let p = 0; p < 150; p++) {
    const { items, nLabels } = randomProgram(r);
    b.reset();
    emitItems(b, items, nLabels);
    written += items.filter((x) => x[0] === It.Jmp || x[0] === It.Jcc).length;
    removed += items.filter((x) => x[0] === It.Jmp || x[0] === It.Jcc).length - b.numBranches;
    const fin = b.finish();
    shortN += fin.shortBranches;
    longN += fin.longBranches;
    // Minimality: every short branch fits and every long one would not have (checked
    // below by decoding); here, the copy is placed at `total`.
    programs.push({ items, start: total, end: total + fin.bytes.length, fin });
    chunks.push(fin.bytes);
    total += fin.bytes.length;
  }
  const all = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) { all.set(c, o); o += c.length; }
  const ins = disassemble(all);
  let runs = 0;
  for (const p of programs) {
    for (let flags = 0; flags < 8; flags++) {
      const fl = flags * 37 + 11; // vary the bits of all eight condition pairs
      const want = runItems(p.items, fl);
      const trapAt = new Map<number, number>();
      p.fin.trapOffsets.forEach((o, k) => trapAt.set(o, p.fin.trapCodes[k]));
      const got = runDecoded(ins, p.start, p.end, fl, trapAt);
      if (want.join(',') !== got.join(',')) {
        t.fail(`program at ${p.start}: written ${want.join(',')} vs decoded ${got.join(',')}`);
        return;
      }
      runs++;
    }
  }
  // Relaxation is minimal: a branch is long only if its short form could not reach.
  let checkedLong = 0;
  for (const p of programs) {
    for (let k = 0; k < ins.length; k++) {
      const x = ins[k];
      if (x.offset < p.start || x.offset >= p.start + p.fin.codeSize) continue;
      const m = /^j\w+ (0x[0-9a-f]+)$/.exec(x.text);
      if (m === null) continue;
      const len = ins[k + 1].offset - x.offset;
      if (len === 2) continue;
      const dest = parseInt(m[1], 16);
      const shortDisp = dest - (x.offset + 2);
      t.false(shortDisp >= -128 && shortDisp <= 127, `long branch at ${x.offset} could be short`);
      checkedLong++;
    }
  }
  t.is(checkedLong, longN);
  // RIP-relative label references land on their label's final offset; every trap
  // record is the start of a ud2; every source range covers exactly its instruction.
  let leas = 0;
  let ranges = 0;
  for (const p of programs) {
    const inRange = ins.filter((x) => x.offset >= p.start && x.offset < p.start + p.fin.codeSize);
    const want = p.items.filter((x) => x[0] === It.Lea).map((x) => '0x' + (p.fin.labelOffsets[x[1]] + p.start).toString(16));
    const got = inRange.filter((x) => x.text.startsWith('lea ')).map((x) => /rip=(0x[0-9a-f]+)/.exec(x.text)![1]);
    t.deepEqual(got, want);
    leas += got.length;
    const byOffset = new Map(inRange.map((x, k) => [x.offset - p.start, k]));
    for (const o of p.fin.trapOffsets) t.is(inRange[byOffset.get(o)!].text, 'ud2');
    for (let k = 0; k < p.fin.srclocLocs.length; k++) {
      const s0 = p.fin.srclocStarts[k];
      const e0 = p.fin.srclocEnds[k];
      const loc = p.fin.srclocLocs[k];
      if (s0 === e0) continue;
      const idx = byOffset.get(s0)!;
      const next = idx + 1 < inRange.length ? inRange[idx + 1].offset - p.start : p.fin.codeSize;
      t.is(next, e0, 'a source range covers exactly one instruction');
      if (loc < 5000) t.is(inRange[idx].text, `mov eax,0x${loc.toString(16)}`);
      else t.regex(inRange[idx].text, /^jmp /);
      ranges++;
    }
  }
  t.true(leas > 0 && ranges > 0);
  t.log(`${programs.length} programs, ${runs} runs, ${written} branches written, ${removed} removed by peepholes, ${shortN} short, ${longN} long`);
  t.true(removed > 0 && shortN > 0 && longN > 0);
});

test('a call site followed by a jump to the next block keeps its return address', (t) => {
  const b = new MachBuffer();
  const l = b.newLabel();
  const far = b.newLabel();
  b.jcc(Cond.E, far); // long: shifts everything after it by 6
  E.callReloc(b, 1);
  b.addCallSite();
  b.jmp(l); // deleted by the peephole when l is bound
  b.bindLabel(l);
  pad(b, 130);
  b.bindLabel(far);
  E.ret(b);
  const r = b.finish();
  t.deepEqual(Array.from(r.callSites), [11]);
  t.is(hex(r.bytes.subarray(0, 12)), '0f 84 87 00 00 00 e8 00 00 00 00 90');
  t.throws(() => b.bytes());
});
