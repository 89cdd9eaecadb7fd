/**
 * Test harness: check encoder output against GNU objdump, an independent disassembler.
 *
 * A `Batch` collects cases — each one instruction emitted into one shared sink, with
 * the Intel-syntax text it must decode to — then writes one binary, runs objdump once
 * (`-D -b binary -mi386:x86-64 -M intel -w`) and checks, for every case, that exactly
 * one instruction starts at the case's first byte, that it ends at the case's last
 * byte, and that its text matches. RIP-relative operands are compared by the absolute
 * target objdump prints in its `# 0x...` comment, written `[rip=0x...]` in
 * expectations, so a wrong "bytes after the displacement" adjustment is caught.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { CodeSink } from '../../../ts/isa/x64/encode-sink';

let available: boolean | undefined;

/** Is objdump on PATH? */
export function objdumpAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync('objdump', ['--version'], { encoding: 'utf8' });
    available = r.status === 0;
  }
  return available;
}

export const OBJDUMP_MISSING = 'skipped: objdump (GNU binutils) not found on PATH; encoder tests need it as an independent disassembler';

/**
 * `test.serial` when objdump is present; otherwise `test.serial.skip`, after saying
 * once why (ava lists the tests as skipped).
 */
export function objdumpTest(title: string, fn: (t: ExecutionContext) => void): void {
  if (objdumpAvailable()) {
    test.serial(title, fn);
  } else {
    if (!warned) console.warn(OBJDUMP_MISSING);
    warned = true;
    test.serial.skip(title, fn);
  }
}
let warned = false;

export interface Insn {
  offset: number;
  text: string;
}

/** Disassemble `bytes` as raw x86-64 code; one entry per decoded instruction. */
export function disassemble(bytes: Uint8Array, extraArgs: string[] = []): Insn[] {
  const file = path.join(os.tmpdir(), `derrick-x64-${process.pid}-${Math.random().toString(36).slice(2)}.bin`);
  fs.writeFileSync(file, bytes);
  try {
    const r = spawnSync('objdump', ['-D', '-b', 'binary', '-mi386:x86-64', '-M', 'intel', '-w', ...extraArgs, file],
      { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`objdump failed: ${r.stderr}`);
    const out: Insn[] = [];
    const re = /^\s*([0-9a-f]+):\t([0-9a-f ]+)\t(.*)$/;
    for (const line of r.stdout.split('\n')) {
      const m = re.exec(line);
      if (m === null) continue;
      out.push({ offset: parseInt(m[1], 16), text: normalize(m[3]) });
    }
    return out;
  } finally {
    fs.unlinkSync(file);
  }
}

/** Collapse whitespace and fold RIP-relative operands to their absolute target. */
export function normalize(text: string): string {
  let s = text.replace(/\s+/g, ' ').trim();
  const m = /\[rip([+-]0x[0-9a-f]+)?\]([^#]*)#\s*(0x[0-9a-f]+)/.exec(s);
  if (m !== null) {
    s = s.slice(0, m.index) + `[rip=${m[3]}]` + m[2].trimEnd() + s.slice(m.index + m[0].length);
    s = s.trim();
  }
  return s;
}

/**
 * A sink whose labels are absolute addresses within the batch: label `L` is taken to
 * sit at offset L, so the emitted displacement is L + extra - (end of instruction).
 */
export class BatchSink extends CodeSink {
  override useLabelDisp32(label: number, bytesAfter: number, extra: number): void {
    const end = this.len + 4 + bytesAfter;
    this.put4(label + extra - end);
  }
}

interface Case {
  start: number;
  end: number;
  expect: string;
}

export class Batch {
  readonly sink = new BatchSink(1 << 16);
  private cases: Case[] = [];

  /** Start a case: call before emitting its instruction, then `end(expect)`. */
  private start = 0;
  begin(): BatchSink {
    this.start = this.sink.len;
    return this.sink;
  }
  end(expect: string): void {
    if (this.sink.len === this.start) throw new Error(`case '${expect}' emitted nothing`);
    this.cases.push({ start: this.start, end: this.sink.len, expect });
  }

  get size(): number {
    return this.cases.length;
  }

  /**
   * The distinct instruction forms among the cases: expectation texts with registers
   * reduced to their kind and width, memory operands to their width, immediates and
   * branch targets to `imm` (e.g. `add r64,m64`, `pshufd xmm,xmm,imm`).
   */
  forms(): Set<string> {
    const out = new Set<string>();
    for (const c of this.cases) out.add(formOf(c.expect));
    return out;
  }

  /** Disassemble the batch and assert every case; returns the number checked. */
  check(t: ExecutionContext): number {
    const bytes = this.sink.bytes();
    const insns = disassemble(bytes);
    const failures: string[] = [];
    let k = 0;
    for (const c of this.cases) {
      while (k < insns.length && insns[k].offset < c.start) k++;
      const hex = Array.from(bytes.subarray(c.start, c.end), (b) => b.toString(16).padStart(2, '0')).join(' ');
      if (k >= insns.length || insns[k].offset !== c.start) {
        failures.push(`no instruction boundary at ${c.start} for '${c.expect}' [${hex}]`);
        continue;
      }
      const next = k + 1 < insns.length ? insns[k + 1].offset : bytes.length;
      if (next !== c.end) {
        failures.push(`'${c.expect}' [${hex}]: decoded length ${next - c.start}, encoded ${c.end - c.start} ('${insns[k].text}')`);
      } else if (insns[k].text !== c.expect) {
        failures.push(`[${hex}]: expected '${c.expect}', objdump says '${insns[k].text}'`);
      }
    }
    if (failures.length > 0) {
      t.fail(`${failures.length} of ${this.cases.length} encodings disagree with objdump:\n` + failures.slice(0, 25).join('\n'));
    } else {
      t.pass();
    }
    return this.cases.length;
  }
}

const R64 = /\b(r[a-ds][xpi]|r[sd]i|r[sb]p|r(?:[89]|1[0-5]))\b/g;
const R32 = /\b(e[a-ds][xpi]|e[sd]i|e[sb]p|r(?:[89]|1[0-5])d)\b/g;
const R16 = /\b([a-d]x|[sd]i|[sb]p|r(?:[89]|1[0-5])w)\b/g;
const R8 = /\b([a-d]l|[sd]il|[sb]pl|r(?:[89]|1[0-5])b)\b/g;

/** Reduce an expectation to its form (see Batch.forms). */
export function formOf(text: string): string {
  return text
    .replace(/(BYTE|WORD|DWORD|QWORD|XMMWORD) PTR \[[^\]]*\]/g, (_m, w: string) => `m${{ BYTE: 8, WORD: 16, DWORD: 32, QWORD: 64, XMMWORD: 128 }[w]}`)
    .replace(/\[[^\]]*\]/g, 'm')
    .replace(/\bxmm\d+\b/g, 'xmm')
    .replace(R64, 'r64').replace(R32, 'r32').replace(R16, 'r16').replace(R8, 'r8')
    .replace(/\b0x[0-9a-f]+\b/g, 'imm');
}
