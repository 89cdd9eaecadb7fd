/**
 * The native executor of `derrick clif run --native` (tools/): compiles every
 * function of a runtest file with the x64 backend (codegen/), links calls between
 * them (and to the libcalls upstream's runner provides, compiled from IR here),
 * generates an entry trampoline per function (arguments and results in 16-byte
 * slots), runs run lines through the addon and maps traps back to trap codes
 * through each function's trap table.
 */
import { ClifFile, parseClif } from '../ir/parser';
import { Executor, ExecResult } from '../ir/runtest';
import { compileFunction, CompiledFunction, trapCodeAt, CompileOptions } from '../codegen/compile';
import { emitIrEntryTrampoline } from '../jit/trampolines';
import { linkFunctions, NameTarget } from '../jit/link';
import { CodeRegion } from '../jit/code-memory';
import { addon, callRaw, readTrap, callAreaAddress, CallStatus } from '../native/addon';
import { CTX_CALL_AREA, CTX_VALUE_SLOTS } from '../native/layout';

const LIBCALL_SOURCES: Record<string, string> = {};
for (const [name, op] of [['Ceil', 'ceil'], ['Floor', 'floor'], ['Trunc', 'trunc'], ['Nearest', 'nearest']]) {
  for (const t of ['f32', 'f64']) {
    LIBCALL_SOURCES[`%${name}${t.toUpperCase()}`] =
      `function %${name}${t.toUpperCase()}(${t}) -> ${t} {\nblock0(v0: ${t}):\n v1 = ${op} v0\n return v1\n}\n`;
  }
}
for (const t of ['f32', 'f64']) {
  LIBCALL_SOURCES[`%Fma${t.toUpperCase()}`] =
    `function %Fma${t.toUpperCase()}(${t}, ${t}, ${t}) -> ${t} {\nblock0(v0: ${t}, v1: ${t}, v2: ${t}):\n v3 = fma v0, v1, v2\n return v3\n}\n`;
}

interface Prepared {
  region: CodeRegion | null;
  /** Per function of the file: compile/link error, else undefined. */
  errors: (string | undefined)[];
  /** Per function: piece index of its code and of its trampoline (-1 if not compiled). */
  codePiece: number[];
  trampPiece: number[];
  compiled: CompiledFunction[];
  resultCounts: number[];
}

const values = new Uint32Array(addon.threadContext, CTX_CALL_AREA, CTX_VALUE_SLOTS * 4);

export class NativeExecutor implements Executor {
  readonly name = 'native';
  private files = new Map<ClifFile, Prepared>();

  constructor(private readonly opts: CompileOptions = {}) {}

  prepare(file: ClifFile): string | undefined {
    const n = file.functions.length;
    const p: Prepared = { region: null, errors: new Array(n).fill(undefined), codePiece: [], trampPiece: [], compiled: [], resultCounts: [] };
    this.files.set(file, p);
    const byName = new Map<string, number>();
    for (let k = 0; k < n; k++) {
      const f = file.functions[k].func;
      p.resultCounts.push(f.sig.returns.length);
      try {
        const cf = compileFunction(f, this.opts);
        p.codePiece.push(p.compiled.length);
        p.compiled.push(cf);
        byName.set(f.name, p.codePiece[k]);
      } catch (e) {
        p.codePiece.push(-1);
        p.errors[k] = `compile error: ${(e as Error).message}`;
      }
    }
    // libcalls referenced but not defined in the file
    for (let changed = true; changed;) {
      changed = false;
      for (const cf of p.compiled) {
        for (const r of cf.relocs) {
          if (byName.has(r.name) || LIBCALL_SOURCES[r.name] === undefined) continue;
          const lf = parseClif(LIBCALL_SOURCES[r.name]).functions[0].func;
          byName.set(r.name, p.compiled.length);
          p.compiled.push(compileFunction(lf, this.opts));
          changed = true;
        }
      }
    }
    // drop functions whose callees are missing (their run lines report it)
    const unresolved = (cf: CompiledFunction): string | undefined => cf.relocs.find((r) => !byName.has(r.name))?.name;
    for (let k = 0; k < n; k++) {
      if (p.codePiece[k] < 0) continue;
      const missing = unresolved(p.compiled[p.codePiece[k]]);
      if (missing !== undefined) p.errors[k] = `link error: call to unknown function ${missing}`;
    }
    const tramps = [];
    for (let k = 0; k < n; k++) {
      if (p.errors[k] !== undefined || p.codePiece[k] < 0) {
        p.trampPiece.push(-1);
        continue;
      }
      const f = file.functions[k].func;
      p.trampPiece.push(p.compiled.length + tramps.length);
      tramps.push({ bytes: emitIrEntryTrampoline({ params: f.sig.params.map((x) => x.type), results: f.sig.returns.map((x) => x.type) }) });
    }
    const resolve = (name: string): NameTarget | undefined => {
      const k = byName.get(name);
      return k === undefined ? { address: 0 } : { piece: k };
    };
    try {
      p.region = linkFunctions(p.compiled, tramps, resolve);
    } catch (e) {
      return `link error: ${(e as Error).message}`;
    }
    return undefined;
  }

  call(file: ClifFile, index: number, args: Uint32Array): ExecResult {
    const p = this.files.get(file);
    if (p === undefined || p.region === null) return { kind: 'error', message: 'native: file not prepared' };
    const err = p.errors[index];
    if (err !== undefined) return { kind: 'error', message: err };
    values.set(args, 0);
    const addrs = p.region.addresses;
    const status = callRaw(addrs[p.trampPiece[index]], 0, addrs[p.codePiece[index]], callAreaAddress);
    if (status === CallStatus.Ok) return { kind: 'ok', results: values.slice(0, 4 * p.resultCounts[index]) };
    const trap = readTrap();
    for (let k = 0; k < p.compiled.length; k++) {
      const start = addrs[k];
      const cf = p.compiled[k];
      if (trap.pc >= start && trap.pc < start + cf.codeSize) {
        const code = trapCodeAt(cf, trap.pc - start);
        if (code >= 0) return { kind: 'trap', code };
        return { kind: 'error', message: `native: signal ${trap.signal} at ${cf.name}+0x${(trap.pc - start).toString(16)} with no trap record (fault address 0x${trap.faultAddress.toString(16)})` };
      }
    }
    return { kind: 'error', message: `native: signal ${trap.signal} at pc 0x${trap.pc.toString(16)} outside compiled functions` };
  }

  release(file: ClifFile): void {
    const p = this.files.get(file);
    if (p?.region) p.region.free();
    this.files.delete(file);
  }
}
