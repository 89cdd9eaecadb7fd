/**
 * The runtest runner behind `derrick clif run` (tools/): parses `.clif` files,
 * attaches each `; run:` line to the function it follows, calls the function
 * through a pluggable Executor (the IR interpreter now, native code later) and
 * compares results bitwise.
 *
 * It also classifies run lines as "core" the way shared/clif-runtests/README.md
 * does: the file is x86-64 runnable (`test run` and a `target x86_64` line) and
 * the function needs none of i128, f16, f128, sub-128-bit or dynamic vectors,
 * atomics, exceptions, the pinned register, non-standard calling conventions,
 * big-endian memory or frame introspection.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tryParseClif, ClifFile } from '../ir/parser';
import { Function, NONE } from '../ir/function';
import { Op, opFormat, Fmt } from '../ir/opcodes';
import { MF_BIG, trapName } from '../ir/immediates';
import * as T from '../ir/types';
import { tryVerify } from '../ir/verifier';
import { Executor, parseRunComment, slotsEqual, formatSlots, RunLineError, slotBits } from '../ir/runtest';

export interface RunFailure { file: string; line: number; text: string; message: string; core: boolean; scalar: boolean }
export interface FileSummary { file: string; passed: number; failed: number; core: number; corePassed: number; scalar: number; scalarPassed: number; parseError?: string }
export interface RunSummary {
  files: FileSummary[];
  failures: RunFailure[];
  passed: number;
  failed: number;
  corePassed: number;
  coreTotal: number;
  /** Core run lines of functions without 128-bit vector types. */
  scalarPassed: number;
  scalarTotal: number;
}

export interface RunOptions {
  /** Run only core run lines. */
  coreOnly?: boolean;
  /** Called once per file with its summary (progress output). */
  onFile?: (s: FileSummary, failures: RunFailure[]) => void;
}

/** Expand files and folders into a sorted list of `.clif` files. */
export function collectClifFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e));
    } else if (p.endsWith('.clif')) {
      out.push(p);
    }
  };
  for (const p of paths) walk(p);
  return out;
}

export function isX64Runnable(file: ClifFile): boolean {
  return file.tests.some((t) => t.split(/\s+/)[0] === 'run') && file.targets.some((t) => t.split(/\s+/)[0] === 'x86_64');
}

const EXOTIC_CONVS = new Set(['winch', 'windows_fastcall', 'apple_aarch64']);

function exoticType(t: T.Type): boolean { return !T.isCoreType(t); }

/** The exotic features a function needs (empty = core). */
export function exoticFeatures(f: Function): string[] {
  const feats = new Set<string>();
  const ty = (t: T.Type): void => {
    if (!exoticType(t)) return;
    const l = T.laneOf(t);
    feats.add(l === T.I128 ? 'i128' : l === T.F16 ? 'f16' : l === T.F128 ? 'f128' : 'simd-sub128');
  };
  const sigs = [f.sig, ...f.sigs.filter((s) => s !== undefined)];
  for (const s of sigs) {
    for (const p of [...s!.params, ...s!.returns]) ty(p.type);
    if (EXOTIC_CONVS.has(s!.callConv)) feats.add('other-callconv');
  }
  for (let v = 0; v < f.valueCount; v++) if (f.vKind[v] !== 0) ty(f.vType[v]);
  for (let b = f.firstBlock; b !== NONE; b = f.bNext[b]) {
    for (let i = f.bFirst[b]; i !== NONE; i = f.iNext[i]) {
      const op = f.iOp[i] as Op;
      ty(f.iType[i]);
      switch (op) {
        case Op.AtomicLoad: case Op.AtomicStore: case Op.AtomicRmw: case Op.AtomicCas: case Op.Fence: feats.add('atomics'); break;
        case Op.GetPinnedReg: case Op.SetPinnedReg: feats.add('pinned-reg'); break;
        case Op.GetFramePointer: case Op.GetReturnAddress: case Op.GetStackPointer: feats.add('frame-introspection'); break;
        case Op.TryCall: case Op.TryCallIndirect: feats.add('exceptions'); break;
        default: break;
      }
      const fmt = opFormat[op] as Fmt;
      if ((fmt === Fmt.Load || fmt === Fmt.Store || fmt === Fmt.LoadNoOffset || fmt === Fmt.StoreNoOffset) && (f.iImm0[i] & MF_BIG) !== 0) {
        feats.add('big-endian-mem');
      }
    }
  }
  return [...feats];
}

/** Does the function (its signatures or any value) use a vector type? */
export function usesVectors(f: Function): boolean {
  for (const s of [f.sig, ...f.sigs]) {
    if (s === undefined) continue;
    for (const p of [...s.params, ...s.returns]) if (T.isVector(p.type)) return true;
  }
  for (let v = 0; v < f.valueCount; v++) if (f.vKind[v] !== 0 && T.isVector(f.vType[v])) return true;
  return false;
}

function resultTypes(f: Function): T.Type[] { return f.sig.returns.map((p) => p.type); }

export function runClifFiles(files: string[], exec: Executor, opts: RunOptions = {}): RunSummary {
  const sum: RunSummary = { files: [], failures: [], passed: 0, failed: 0, corePassed: 0, coreTotal: 0, scalarPassed: 0, scalarTotal: 0 };
  for (const file of files) {
    const fs_ = runClifFile(file, fs.readFileSync(file, 'utf8'), exec, opts);
    sum.files.push(fs_.summary);
    sum.failures.push(...fs_.failures);
    sum.passed += fs_.summary.passed;
    sum.failed += fs_.summary.failed;
    sum.corePassed += fs_.summary.corePassed;
    sum.coreTotal += fs_.summary.core;
    sum.scalarPassed += fs_.summary.scalarPassed;
    sum.scalarTotal += fs_.summary.scalar;
    if (opts.onFile !== undefined) opts.onFile(fs_.summary, fs_.failures);
  }
  return sum;
}

export function runClifFile(name: string, src: string, exec: Executor, opts: RunOptions = {}): { summary: FileSummary; failures: RunFailure[] } {
  const summary: FileSummary = { file: name, passed: 0, failed: 0, core: 0, corePassed: 0, scalar: 0, scalarPassed: 0 };
  const failures: RunFailure[] = [];
  const parsed = tryParseClif(src, name);
  if (!parsed.ok) {
    summary.parseError = parsed.error.message;
    // every run line of the file counts as failed
    const n = (src.match(/^\s*;+\s*run\b/gm) ?? []).length;
    summary.failed = n;
    failures.push({ file: name, line: parsed.error.line, text: '', message: `parse error: ${parsed.error.message}`, core: false, scalar: false });
    return { summary, failures };
  }
  const file = parsed.value;
  const x64 = isX64Runnable(file);
  const prepError = exec.prepare !== undefined ? exec.prepare(file) : undefined;
  file.functions.forEach((pf, index) => {
    const core = x64 && exoticFeatures(pf.func).length === 0;
    const scalar = core && !usesVectors(pf.func);
    // a function that does not verify is not executed (its run lines fail with the first diagnostic)
    const diags = pf.comments.length > 0 ? tryVerify(pf.func) : [];
    const invalid = diags.length > 0 ? `does not verify: ${diags[0].entity}: ${diags[0].message}` : undefined;
    for (const c of pf.comments) {
      if (opts.coreOnly && !core) continue;
      if (core) summary.core++;
      if (scalar) summary.scalar++;
      const fail = (message: string): void => {
        summary.failed++;
        failures.push({ file: name, line: c.line, text: c.text.trim(), message, core, scalar });
      };
      let cmd;
      try {
        cmd = parseRunComment(c.text, c.line, pf.func.sig);
      } catch (e) {
        if (e instanceof RunLineError) { fail(`bad run line: ${e.message}`); continue; }
        throw e;
      }
      if (invalid !== undefined) { fail(invalid); continue; }
      if (prepError !== undefined) { fail(`${exec.name}: ${prepError}`); continue; }
      let res;
      try {
        res = exec.call(file, index, cmd.args);
      } catch (e) {
        fail(`${exec.name} crashed: ${(e as Error).stack ?? String(e)}`);
        continue;
      }
      if (res.kind === 'trap') { fail(`trapped: ${trapName(res.code)}`); continue; }
      if (res.kind === 'error') { fail(res.message); continue; }
      const rt = resultTypes(pf.func);
      let ok: boolean;
      if (cmd.kind === 'print') ok = true;
      else if (cmd.nonZero) ok = slotBits(res.results, 0, rt[0]) !== 0n;
      else ok = slotsEqual(res.results, cmd.expected!, rt) === cmd.eq;
      if (ok) {
        summary.passed++;
        if (core) summary.corePassed++;
        if (scalar) summary.scalarPassed++;
      } else {
        fail(`got ${formatSlots(res.results, rt)}${cmd.expected !== undefined ? `, expected ${cmd.eq ? '' : 'not '}${formatSlots(cmd.expected, rt)}` : ', expected non-zero'}`);
      }
    }
  });
  if (exec.release !== undefined) exec.release(file);
  return { summary, failures };
}
