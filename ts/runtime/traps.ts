/**
 * Traps → JavaScript errors. Runtime layer.
 *
 * Every compiled module registers its code range with a `CodeInfo` that maps a pc to
 * a trap code (from the backend's trap table) and to a wasm frame description (function
 * index, name, byte offset from the source locations). When a call in returns
 * CallStatus.Trap, the addon's trap record gives the faulting pc and the return
 * addresses of the wasm frames (innermost first); `trapError` turns it into
 *
 *   RuntimeError: <the spec's trap message>
 *       at name (wasm://wasm/<hash>:wasm-function[N]:0xOFF)   ← one line per wasm frame
 *       at <the JavaScript frames of the caller>
 *
 * the shape and wording of Node's own engine. Stack exhaustion (TRAP_STK_OVF) becomes what Node
 * users and the spec runner expect from Node's engine: `RangeError: Maximum call stack
 * size exceeded` (with the wasm frames too).
 */
import { TrapRecord } from '../native/addon';
import { RuntimeError } from './errors';
import { TRAP_STK_OVF, v8TrapMessage } from './vmoffsets';

export interface CodeInfo {
  /** The trap code of the instruction at absolute address `pc`, or -1 if none. */
  trapCode(pc: number): number;
  /**
   * A frame line (without the leading "at ") for absolute address `pc`; a return
   * address is looked up one byte back (inside the call instruction).
   */
  frame(pc: number, isReturnAddress: boolean): string | null;
  /** The wasm opcode byte at the source location of the instruction at `pc`, or -1. */
  opcodeAt(pc: number): number;
}

interface Range {
  start: number;
  end: number;
  info: CodeInfo;
}

/** Registered code ranges, sorted by start (ranges never overlap). */
const ranges: Range[] = [];

function findIndex(pc: number): number {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid];
    if (pc < r.start) hi = mid - 1;
    else if (pc >= r.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

export function registerCode(start: number, end: number, info: CodeInfo): void {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid].start < start) lo = mid + 1;
    else hi = mid;
  }
  ranges.splice(lo, 0, { start, end, info });
}

export function unregisterCode(start: number): void {
  const i = findIndex(start);
  if (i >= 0 && ranges[i].start === start) ranges.splice(i, 1);
}

export function codeInfoAt(pc: number): CodeInfo | undefined {
  const i = findIndex(pc);
  return i < 0 ? undefined : ranges[i].info;
}

/** The trap code of a trap record, or -1 when the pc is not in registered code. */
export function trapCodeOf(rec: TrapRecord): number {
  const info = codeInfoAt(rec.pc);
  return info === undefined ? -1 : info.trapCode(rec.pc);
}

/** The wasm frame lines of a trap record, innermost first. */
export function wasmFrames(rec: TrapRecord): string[] {
  const out: string[] = [];
  const add = (pc: number, ret: boolean): void => {
    const line = codeInfoAt(pc)?.frame(pc, ret);
    if (line) out.push(line);
  };
  add(rec.pc, false);
  for (const ra of rec.frames) add(ra, true);
  return out;
}

/** The error a trap record stands for, with wasm frames in its stack. */
export function trapError(rec: TrapRecord, caller?: Function): Error {
  const code = trapCodeOf(rec);
  let err: Error;
  if (code === TRAP_STK_OVF) {
    err = new RangeError('Maximum call stack size exceeded');
  } else if (code >= 0) {
    err = new RuntimeError(v8TrapMessage(code, codeInfoAt(rec.pc)?.opcodeAt(rec.pc) ?? -1));
  } else {
    err = new RuntimeError(`derrick: unexpected signal ${rec.signal} at pc 0x${rec.pc.toString(16)}`);
  }
  Object.defineProperty(err, 'trapCode', { value: code, writable: true, enumerable: false, configurable: true });
  if (caller !== undefined) Error.captureStackTrace(err, caller);
  insertFrames(err, wasmFrames(rec));
  return err;
}

/** Puts wasm frame lines right after the message line of `err.stack`. */
export function insertFrames(err: Error, lines: string[]): void {
  if (lines.length === 0) return;
  const stack = err.stack;
  if (typeof stack !== 'string') return;
  const head = `${err.name}: ${err.message}`;
  const rest = stack.startsWith(head) ? stack.slice(head.length) : stack.slice(stack.indexOf('\n') >>> 0);
  err.stack = head + lines.map((l) => `\n    at ${l}`).join('') + rest;
}

/**
 * Traps raised by TypeScript builtins carry their wasm frame lines here until the
 * error reaches the call in, which re-captures the JavaScript part of the stack from
 * its own caller (dropping the dispatcher's internal frames) and puts the wasm lines
 * back on top.
 */
const pendingFrames = new WeakMap<object, string[]>();

export function setPendingFrames(err: Error, lines: string[]): void {
  pendingFrames.set(err, lines);
  insertFrames(err, lines);
}

/** For calls in: `err` as it should reach the JavaScript caller of `self`. */
export function restack(err: unknown, self: Function | undefined): unknown {
  if (typeof err !== 'object' || err === null) return err;
  const lines = pendingFrames.get(err);
  if (lines === undefined) return err;
  pendingFrames.delete(err);
  if (self !== undefined) Error.captureStackTrace(err, self);
  insertFrames(err as Error, lines);
  return err;
}
