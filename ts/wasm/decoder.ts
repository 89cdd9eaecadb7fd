/**
 * Module decoder: Wasm 2.0 binary → module environment (types.ts), the first stage of
 * the pipeline. Decodes every section (types, imports, functions, tables, memories,
 * globals, exports, start, elements in all 8 encodings, data count, code, data, custom
 * sections with the name section), checks section order and the module-level
 * validation rules, and — unless told not to — validates every function body as it
 * arrives (the code section comes after everything a body can refer to).
 *
 * Function bodies are not copied: the environment records their byte ranges in the
 * caller's buffer. Decoding state for bodies (FuncValidator, OperatorReader) is
 * allocated once per module and reused for every function.
 */
import { CompileError } from './errors';
import { OperatorReader } from './operators';
import { decodeNameSection } from './names';
import { FuncValidator, ValidationContext } from './validator';
import { OP_PREFIX_FD } from './opcodes';
import { parallelAvailable, validateBodiesParallel } from './parallel';
import {
  ConstExpr, ConstOp, CustomSection, DataSegments, ElemSegment, Export, ExternKind, FuncType, GlobalType, Import,
  MemoryType, ModuleEnv, NONE, NameSection, SegmentMode, TableType, ValType, isRefType, isValType,
} from './types';

export interface DecodeOptions {
  /** Validate function bodies (default true). False gives a cheap decode-only pass. */
  validateBodies?: boolean;
  /**
   * Validate bodies on worker threads too (parallel.ts). Default: when the code
   * section is at least PARALLEL_MIN_BYTES and more than one thread is allowed
   * (DERRICK_WASM_THREADS caps the thread count; 1 turns this off).
   */
  parallel?: boolean;
}

/** Code sections smaller than this are validated on the calling thread only. */
export const PARALLEL_MIN_BYTES = 256 << 10;

const MAX_PAGES = 65536;
/**
 * Implementation limits (V8's, so both engines accept the same modules): they also
 * bound the work per call or block operator, which is linear in the type's length.
 */
export const MAX_PARAMS = 1000;
export const MAX_RESULTS = 1000;

// Section ids and their required order (custom sections, id 0, may appear anywhere).
const SECTION_RANK = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10]; // by id; data count (12) sits before code (10)

export function decodeModule(bytes: Uint8Array, opts: DecodeOptions = {}): ModuleEnv {
  return new ModuleDecoder(bytes, opts.validateBodies !== false, opts.parallel).decode();
}

class ModuleDecoder {
  readonly r: OperatorReader;
  readonly ctx = new ValidationContext();
  readonly validateBodies: boolean;
  types: FuncType[] = [];
  imports: Import[] = [];
  tables: TableType[] = [];
  memories: MemoryType[] = [];
  globals: GlobalType[] = [];
  globalInits: ConstExpr[] = [];
  exports: Export[] = [];
  elements: ElemSegment[] = [];
  data: DataSegments = {
    count: 0, mode: new Uint8Array(0), memory: new Uint32Array(0), offsetOp: new Uint8Array(0),
    offsetValue: new Int32Array(0), start: new Uint32Array(0), end: new Uint32Array(0),
  };
  customSections: CustomSection[] = [];
  names: NameSection | null = null;
  numImportedFuncs = 0;
  numImportedTables = 0;
  numImportedMemories = 0;
  numImportedGlobals = 0;
  /** Number of entries of the function section (NONE if absent). */
  numDefinedFuncs = 0;
  start = NONE;
  dataCount = NONE;
  codeSeen = false;
  bodyStart = new Uint32Array(0);
  codeStart = new Uint32Array(0);
  bodyEnd = new Uint32Array(0);
  declared = new Uint8Array(0);

  /** undefined = decide by code section size. */
  readonly parallel: boolean | undefined;
  /** Bodies were left for validateBodiesParallel after the last section. */
  deferredBodies = false;

  constructor(bytes: Uint8Array, validateBodies: boolean, parallel: boolean | undefined) {
    this.r = new OperatorReader(bytes);
    this.validateBodies = validateBodies;
    this.parallel = parallel;
  }

  decode(): ModuleEnv {
    try {
      this.sections();
    } catch (e) {
      // With bodies left to the threads, an error found later in the module must not
      // pre-empt an invalid body: validate them first (throws the body's error).
      if (e instanceof CompileError && this.deferredBodies) this.validateDeferred();
      throw e;
    }
    this.validateDeferred();
    return this.finish();
  }

  private validateDeferred(): void {
    if (!this.deferredBodies) return;
    this.deferredBodies = false;
    validateBodiesParallel(this.r.bytes, this.ctx, this.bodyStart, this.bodyEnd, this.numImportedFuncs);
  }

  /** Every section in order, then the checks that need the whole module. */
  private sections(): void {
    const r = this.r;
    const bytes = r.bytes;
    if (bytes.length < 4) r.fail('unexpected end', bytes.length);
    if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) r.fail('magic header not detected', 0);
    if (bytes.length < 8) r.fail('unexpected end', bytes.length);
    if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) r.fail('unknown binary version', 4);
    r.pos = 8;
    let lastRank = 0;
    while (r.pos < bytes.length) {
      r.end = bytes.length;
      const idAt = r.pos;
      const id = r.u8();
      if (id > 12) r.fail('malformed section id', idAt);
      const sizeAt = r.pos;
      const size = r.u32();
      if (size > bytes.length - r.pos) r.fail('length out of bounds', sizeAt);
      const end = r.pos + size;
      if (id !== 0) {
        const rank = SECTION_RANK[id];
        if (rank <= lastRank) r.fail('unexpected content after last section', idAt);
        lastRank = rank;
      }
      r.end = end;
      r.inSection = true;
      this.section(id, end);
      r.inSection = false;
      if (r.pos !== end) r.fail('section size mismatch', r.pos);
    }
    r.end = bytes.length;
    if (!this.codeSeen && this.numDefinedFuncs !== 0) {
      r.fail('function and code section have inconsistent lengths', bytes.length);
    }
    if (this.dataCount !== NONE && this.dataCount !== this.data.count) {
      r.fail('data count and data section have inconsistent lengths', bytes.length);
    }
  }

  private section(id: number, end: number): void {
    switch (id) {
      case 0: return this.customSection(end);
      case 1: return this.typeSection();
      case 2: return this.importSection();
      case 3: return this.functionSection();
      case 4: return this.tableSection();
      case 5: return this.memorySection();
      case 6: return this.globalSection();
      case 7: return this.exportSection();
      case 8: return this.startSection();
      case 9: return this.elementSection();
      case 10: return this.codeSection();
      case 11: return this.dataSection();
      case 12:
        this.dataCount = this.r.u32();
        this.ctx.dataCount = this.dataCount;
        return;
    }
  }

  // ---- primitive types ----
  private valType(): ValType {
    const r = this.r;
    const at = r.pos;
    const t = r.u8();
    if (!isValType(t)) r.fail('malformed value type', at);
    return t as ValType;
  }

  private refType(): ValType {
    const r = this.r;
    const at = r.pos;
    const t = r.u8();
    if (!isRefType(t)) r.fail('malformed reference type', at);
    return t as ValType;
  }

  /** limits: 0x00 min | 0x01 min max. Fills the scratch min/max/hasMax. */
  private lMin = 0;
  private lMax = 0;
  private lHasMax = false;
  private limits(): void {
    const r = this.r;
    const at = r.pos;
    const flags = r.u8();
    if (flags & 0x80) r.fail('integer representation too long', at);
    if (flags > 1) r.fail('integer too large', at);
    this.lMin = r.u32();
    this.lHasMax = flags === 1;
    this.lMax = this.lHasMax ? r.u32() : NONE;
    if (this.lHasMax && this.lMin > this.lMax) r.fail('size minimum must not be greater than maximum', at);
  }

  private tableType(): TableType {
    const elemType = this.refType();
    this.limits();
    return { elemType, min: this.lMin, max: this.lMax, hasMax: this.lHasMax };
  }

  private memoryType(): MemoryType {
    const at = this.r.pos;
    this.limits();
    if (this.lMin > MAX_PAGES || (this.lHasMax && this.lMax > MAX_PAGES)) {
      this.r.fail('memory size must be at most 65536 pages (4GiB)', at);
    }
    return { min: this.lMin, max: this.lMax, hasMax: this.lHasMax };
  }

  private globalType(): GlobalType {
    const type = this.valType();
    const r = this.r;
    const at = r.pos;
    const m = r.u8();
    if (m > 1) r.fail('malformed mutability', at);
    return { type, mutable: m === 1 };
  }

  // ---- sections ----
  private typeSection(): void {
    const r = this.r;
    const n = r.u32(); // items fail on the section end, like the spec's decoder
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      if (r.u8() !== 0x60) r.fail('malformed function type', at);
      const npAt = r.pos;
      const np = r.count(1);
      if (np > MAX_PARAMS) r.fail(`too many parameters (${np}, at most ${MAX_PARAMS})`, npAt);
      const params = new Uint8Array(np);
      for (let j = 0; j < np; j++) params[j] = this.valType();
      const nrAt = r.pos;
      const nr = r.count(1);
      if (nr > MAX_RESULTS) r.fail(`too many results (${nr}, at most ${MAX_RESULTS})`, nrAt);
      const results = new Uint8Array(nr);
      for (let j = 0; j < nr; j++) results[j] = this.valType();
      this.types.push({ params, results });
      this.ctx.addType(params, results);
    }
  }

  private importSection(): void {
    const r = this.r;
    const n = r.u32(); // items fail on the section end, like the spec's decoder
    for (let i = 0; i < n; i++) {
      const module = r.name();
      const name = r.name();
      const kAt = r.pos;
      const kind = r.u8();
      switch (kind) {
        case ExternKind.Func: {
          const tAt = r.pos;
          const typeIndex = r.u32();
          if (typeIndex >= this.types.length) r.fail(`unknown type ${typeIndex}`, tAt);
          this.imports.push({ module, name, kind, typeIndex });
          this.ctx.addFunc(typeIndex);
          this.numImportedFuncs++;
          break;
        }
        case ExternKind.Table: {
          const table = this.tableType();
          this.imports.push({ module, name, kind, table });
          this.tables.push(table);
          this.ctx.addTable(table.elemType);
          this.numImportedTables++;
          break;
        }
        case ExternKind.Memory: {
          const mAt = r.pos;
          const memory = this.memoryType();
          if (this.memories.length > 0) r.fail('multiple memories', mAt);
          this.imports.push({ module, name, kind, memory });
          this.memories.push(memory);
          this.ctx.numMemories++;
          this.numImportedMemories++;
          break;
        }
        case ExternKind.Global: {
          const global = this.globalType();
          this.imports.push({ module, name, kind, global });
          this.globals.push(global);
          this.ctx.addGlobal(global.type, global.mutable);
          this.numImportedGlobals++;
          break;
        }
        default:
          r.fail('malformed import kind', kAt);
      }
    }
  }

  private functionSection(): void {
    const r = this.r;
    const n = r.u32(); // items fail on the section end, like the spec's decoder
    this.numDefinedFuncs = n;
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const t = r.u32();
      if (t >= this.types.length) r.fail(`unknown type ${t}`, at);
      this.ctx.addFunc(t);
    }
    this.declared = new Uint8Array(this.ctx.numFuncs);
    this.ctx.declared = this.declared;
  }

  private ensureDeclared(): void {
    if (this.declared.length !== this.ctx.numFuncs) {
      this.declared = new Uint8Array(this.ctx.numFuncs);
      this.ctx.declared = this.declared;
    }
  }

  private tableSection(): void {
    const r = this.r;
    const n = r.u32(); // items fail on the section end, like the spec's decoder
    for (let i = 0; i < n; i++) {
      const t = this.tableType();
      this.tables.push(t);
      this.ctx.addTable(t.elemType);
    }
  }

  private memorySection(): void {
    const r = this.r;
    const n = r.u32(); // items fail on the section end, like the spec's decoder
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const m = this.memoryType();
      if (this.memories.length > 0) r.fail('multiple memories', at);
      this.memories.push(m);
      this.ctx.numMemories++;
    }
  }

  private globalSection(): void {
    const r = this.r;
    const n = r.u32(); // items fail on the section end, like the spec's decoder
    this.ensureDeclared();
    for (let i = 0; i < n; i++) {
      const g = this.globalType();
      const init = this.constExpr(g.type);
      this.globals.push(g);
      this.globalInits.push(init);
      this.ctx.addGlobal(g.type, g.mutable);
    }
  }

  private exportSection(): void {
    const r = this.r;
    const n = r.u32(); // items fail on the section end, like the spec's decoder
    const seen = new Set<string>();
    this.ensureDeclared();
    for (let i = 0; i < n; i++) {
      const nameAt = r.pos;
      const name = r.name();
      const kAt = r.pos;
      const kind = r.u8();
      const iAt = r.pos;
      const index = r.u32();
      switch (kind) {
        case ExternKind.Func:
          if (index >= this.ctx.numFuncs) r.fail(`unknown function ${index}`, iAt);
          this.declared[index] = 1;
          break;
        case ExternKind.Table:
          if (index >= this.tables.length) r.fail(`unknown table ${index}`, iAt);
          break;
        case ExternKind.Memory:
          if (index >= this.memories.length) r.fail(`unknown memory ${index}`, iAt);
          break;
        case ExternKind.Global:
          if (index >= this.globals.length) r.fail(`unknown global ${index}`, iAt);
          break;
        default:
          r.fail('malformed export kind', kAt);
      }
      if (seen.has(name)) r.fail('duplicate export name', nameAt);
      seen.add(name);
      this.exports.push({ name, kind, index });
    }
  }

  private startSection(): void {
    const r = this.r;
    const at = r.pos;
    const f = r.u32();
    if (f >= this.ctx.numFuncs) r.fail(`unknown function ${f}`, at);
    const t = this.types[this.ctx.funcTypes[f]];
    if (t.params.length !== 0 || t.results.length !== 0) r.fail('start function', at);
    this.start = f;
  }

  private elementSection(): void {
    const r = this.r;
    const n = r.u32(); // items fail on the section end, like the spec's decoder
    this.ensureDeclared();
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const flags = r.u32();
      if (flags > 7) r.fail('malformed elements segment kind', at);
      // bit 0: passive/declarative (else active); bit 1: explicit table (active) or
      // declarative (otherwise); bit 2: items are expressions (else function indices).
      const mode = (flags & 1) === 0 ? SegmentMode.Active : flags & 2 ? SegmentMode.Declarative : SegmentMode.Passive;
      let table = 0;
      let offset: ConstExpr | null = null;
      if (mode === SegmentMode.Active) {
        if (flags & 2) table = r.u32();
        offset = this.constExpr(ValType.I32);
      }
      let elemType = ValType.FuncRef;
      const exprItems = (flags & 4) !== 0;
      if (flags & 3) {
        if (exprItems) elemType = this.refType();
        else {
          const kAt = r.pos;
          if (r.u8() !== 0) r.fail('malformed element kind', kAt);
        }
      }
      if (mode === SegmentMode.Active) {
        if (table >= this.tables.length) r.fail(`unknown table ${table}`, at);
        if (this.tables[table].elemType !== elemType) r.fail('type mismatch', at);
      }
      const count = r.count(1);
      let funcIndices: Uint32Array | null = new Uint32Array(count);
      let exprs: ConstExpr[] | null = null;
      for (let j = 0; j < count; j++) {
        if (!exprItems) {
          const fAt = r.pos;
          const f = r.u32();
          if (f >= this.ctx.numFuncs) r.fail(`unknown function ${f}`, fAt);
          this.declared[f] = 1;
          funcIndices![j] = f;
          continue;
        }
        const e = this.constExpr(elemType);
        if (exprs === null && e.op === ConstOp.GlobalGet) {
          // Not resolvable before instantiation: keep the expressions instead.
          exprs = [];
          for (let k = 0; k < j; k++) {
            const f = funcIndices![k];
            exprs.push(f === NONE ? refNull(elemType) : refFunc(f));
          }
          funcIndices = null;
        }
        if (exprs !== null) exprs.push(e);
        else funcIndices![j] = e.op === ConstOp.RefFunc ? e.index : NONE;
      }
      this.elements.push({ mode, table, offset, elemType, funcIndices, exprs, count });
      this.ctx.addElem(elemType);
    }
  }

  private codeSection(): void {
    const r = this.r;
    const at = r.pos;
    const n = r.u32();
    if (n !== this.numDefinedFuncs) r.fail('function and code section have inconsistent lengths', at);
    this.codeSeen = true;
    this.ensureDeclared();
    this.bodyStart = new Uint32Array(n);
    this.codeStart = new Uint32Array(n);
    this.bodyEnd = new Uint32Array(n);
    const sectionEnd = r.end;
    const parallel = this.validateBodies && n > 1 &&
      (this.parallel ?? (sectionEnd - r.pos >= PARALLEL_MIN_BYTES && parallelAvailable()));
    const validator = this.validateBodies && !parallel ? new FuncValidator(this.ctx) : null;
    const base = this.numImportedFuncs;
    for (let i = 0; i < n; i++) {
      r.end = sectionEnd;
      const sAt = r.pos;
      let size = 0;
      try {
        size = r.u32();
        if (size > sectionEnd - r.pos) r.fail('unexpected end of section or function', sAt);
      } catch (e) {
        if (e instanceof CompileError) this.bodiesBefore(i, parallel);
        throw e;
      }
      const bodyEnd = r.pos + size;
      this.bodyStart[i] = r.pos;
      this.bodyEnd[i] = bodyEnd;
      r.end = bodyEnd;
      if (validator !== null) {
        this.codeStart[i] = validator.validateBody(base + i, r);
      } else if (parallel) {
        // Malformed local declarations are the validating thread's to report, so the
        // first error stays the first in module order.
        try {
          this.codeStart[i] = skipLocals(r);
        } catch (e) {
          if (!(e instanceof CompileError)) throw e;
          this.codeStart[i] = bodyEnd;
        }
        r.pos = bodyEnd;
      } else {
        this.codeStart[i] = skipLocals(r);
        r.pos = bodyEnd;
      }
    }
    r.end = sectionEnd;
    // Armed only now: bodyStart/bodyEnd are complete.
    this.deferredBodies = parallel;
  }

  /**
   * The code section breaks off at function i (a bad body size): with bodies left to
   * the threads, an invalid earlier body must still be the error reported.
   */
  private bodiesBefore(i: number, parallel: boolean): void {
    if (parallel && i > 0) {
      validateBodiesParallel(this.r.bytes, this.ctx, this.bodyStart.subarray(0, i), this.bodyEnd.subarray(0, i), this.numImportedFuncs);
    }
  }

  private dataSection(): void {
    const r = this.r;
    const at = r.pos;
    const n = r.u32();
    if (this.dataCount !== NONE && n !== this.dataCount) r.fail('data count and data section have inconsistent lengths', at);
    // A segment takes at least 2 bytes, so a count beyond the section fails before
    // outgrowing columns sized by the bytes left.
    const cap = Math.min(n, r.end - r.pos);
    const d: DataSegments = {
      count: n, mode: new Uint8Array(cap), memory: new Uint32Array(cap), offsetOp: new Uint8Array(cap),
      offsetValue: new Int32Array(cap), start: new Uint32Array(cap), end: new Uint32Array(cap),
    };
    for (let i = 0; i < n; i++) {
      const sAt = r.pos;
      const flags = r.u32();
      if (flags > 2) r.fail('malformed data segment kind', sAt);
      if (flags === 1) d.mode[i] = SegmentMode.Passive;
      else {
        d.mode[i] = SegmentMode.Active;
        const memory = flags === 2 ? r.u32() : 0;
        if (memory >= this.memories.length) r.fail(`unknown memory ${memory}`, sAt);
        d.memory[i] = memory;
        // The common shape, i32.const v end, without building a ConstExpr.
        const b = r.bytes;
        const exprAt = r.pos;
        let fast = false;
        if (exprAt < r.end && b[exprAt] === 0x41) {
          r.pos++;
          const v = r.s32();
          if (r.pos < r.end && b[r.pos] === 0x0b) {
            r.pos++;
            d.offsetOp[i] = ConstOp.I32;
            d.offsetValue[i] = v;
            fast = true;
          } else r.pos = exprAt; // not the simple shape: the general path reports the error
        }
        if (!fast) {
          const e = this.constExpr(ValType.I32);
          d.offsetOp[i] = e.op;
          d.offsetValue[i] = e.op === ConstOp.GlobalGet ? e.index : e.lo;
        }
      }
      const len = r.count(1);
      d.start[i] = r.pos;
      r.pos += len;
      d.end[i] = r.pos;
    }
    this.data = d;
  }

  private customSection(end: number): void {
    const r = this.r;
    const name = r.name();
    const start = r.pos;
    this.customSections.push({ name, start, end });
    if (name === 'name') {
      // A malformed name section does not invalidate the module (custom sections are
      // uninterpreted by validation): it is dropped instead.
      try {
        this.names = decodeNameSection(r.bytes, start, end);
      } catch (e) {
        if (!(e instanceof CompileError)) throw e;
        this.names = null;
      }
    }
    r.pos = end;
  }

  /**
   * A Wasm 2.0 constant expression: one constant instruction and `end`. global.get may
   * only name an immutable imported global; ref.func declares its function.
   */
  private constExpr(expected: ValType): ConstExpr {
    const r = this.r;
    const at = r.pos;
    const op = r.read();
    const e: ConstExpr = { op: ConstOp.I32, type: ValType.I32, index: 0, lo: 0, hi: 0, v128: null, offset: at };
    switch (op) {
      case 0x41: e.lo = r.lo; break;
      case 0x42: e.op = ConstOp.I64; e.type = ValType.I64; e.lo = r.lo; e.hi = r.hi; break;
      case 0x43: e.op = ConstOp.F32; e.type = ValType.F32; e.lo = r.lo; break;
      case 0x44: e.op = ConstOp.F64; e.type = ValType.F64; e.lo = r.lo; e.hi = r.hi; break;
      case OP_PREFIX_FD + 0x0c:
        e.op = ConstOp.V128;
        e.type = ValType.V128;
        e.v128 = r.bytes.slice(r.immPos, r.immPos + 16);
        break;
      case 0xd0: e.op = ConstOp.RefNull; e.type = r.imm as ValType; break;
      case 0xd2:
        if (r.imm >= this.ctx.numFuncs) r.fail(`unknown function ${r.imm}`, r.opPos);
        e.op = ConstOp.RefFunc;
        e.type = ValType.FuncRef;
        e.index = r.imm;
        this.declared[r.imm] = 1;
        break;
      case 0x23: {
        const g = r.imm;
        if (g >= this.numImportedGlobals) r.fail(`unknown global ${g}`, r.opPos);
        if (this.globals[g].mutable) r.fail('constant expression required', r.opPos);
        e.op = ConstOp.GlobalGet;
        e.type = this.globals[g].type;
        e.index = g;
        break;
      }
      default:
        r.fail(op === 0x0b ? 'type mismatch' : 'constant expression required', r.opPos);
    }
    const next = r.read();
    if (next !== 0x0b) {
      const constant = next === 0x41 || next === 0x42 || next === 0x43 || next === 0x44 || next === 0xd0 ||
        next === 0xd2 || next === 0x23 || next === OP_PREFIX_FD + 0x0c;
      r.fail(constant ? 'type mismatch' : 'constant expression required', r.opPos);
    }
    if (e.type !== expected) r.fail('type mismatch', at);
    return e;
  }

  private finish(): ModuleEnv {
    const ctx = this.ctx;
    this.ensureDeclared();
    return {
      bytes: this.r.bytes,
      types: this.types,
      imports: this.imports,
      funcTypes: ctx.funcTypes.slice(0, ctx.numFuncs),
      numImportedFuncs: this.numImportedFuncs,
      tables: this.tables,
      numImportedTables: this.numImportedTables,
      memories: this.memories,
      numImportedMemories: this.numImportedMemories,
      globals: this.globals,
      numImportedGlobals: this.numImportedGlobals,
      globalInits: this.globalInits,
      exports: this.exports,
      start: this.start,
      elements: this.elements,
      data: this.data,
      dataCount: this.dataCount,
      bodyStart: this.bodyStart,
      codeStart: this.codeStart,
      bodyEnd: this.bodyEnd,
      customSections: this.customSections,
      names: this.names,
      declaredFuncs: this.declared,
      validation: ctx,
    };
  }
}

function refNull(t: ValType): ConstExpr {
  return { op: ConstOp.RefNull, type: t, index: 0, lo: 0, hi: 0, v128: null, offset: 0 };
}
function refFunc(f: number): ConstExpr {
  return { op: ConstOp.RefFunc, type: ValType.FuncRef, index: f, lo: 0, hi: 0, v128: null, offset: 0 };
}

/** Skip the local declarations of a body (decode-only path); returns the first operator's offset. */
function skipLocals(r: OperatorReader): number {
  const groups = r.u32();
  for (let g = 0; g < groups; g++) {
    r.u32();
    r.u8();
  }
  return r.pos;
}

/**
 * Validate one defined function of a module decoded with validateBodies: false
 * (lazy paths). `defIndex` counts defined functions only.
 */
export function validateFunction(env: ModuleEnv, defIndex: number): void {
  const r = new OperatorReader(env.bytes, env.bodyStart[defIndex], env.bodyEnd[defIndex]);
  new FuncValidator(env.validation).validateBody(env.numImportedFuncs + defIndex, r);
}

/**
 * The local types of defined function `defIndex`: parameters first, then the declared
 * locals, expanded (for a translator that runs without the validator). The module
 * must have been validated (or the function checked with validateFunction).
 */
export function decodeLocals(env: ModuleEnv, defIndex: number): Uint8Array {
  const t = env.types[env.funcTypes[env.numImportedFuncs + defIndex]];
  const r = new OperatorReader(env.bytes, env.bodyStart[defIndex], env.codeStart[defIndex]);
  const groups = r.u32();
  let n = t.params.length;
  const counts: number[] = [];
  const types: number[] = [];
  for (let g = 0; g < groups; g++) {
    const c = r.u32();
    counts.push(c);
    types.push(r.u8());
    n += c;
  }
  const out = new Uint8Array(n);
  out.set(t.params);
  let k = t.params.length;
  for (let g = 0; g < groups; g++) {
    out.fill(types[g], k, k + counts[g]);
    k += counts[g];
  }
  return out;
}

/** Payloads of the custom sections called `name`, in module order (views, not copies). */
export function customSections(env: ModuleEnv, name: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const c of env.customSections) if (c.name === name) out.push(env.bytes.subarray(c.start, c.end));
  return out;
}

/** WebAssembly.validate: true iff the bytes are a valid module. */
export function validate(bytes: Uint8Array): boolean {
  try {
    decodeModule(bytes);
    return true;
  } catch (e) {
    if (e instanceof CompileError) return false;
    throw e;
  }
}
