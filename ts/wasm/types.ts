/**
 * The decoded module ("module environment"): the typed shape the decoder produces and
 * that the translator (Wasm → IR, one function at a time), the runtime (VMContext
 * layout, instantiation) and the JS API (`Module.imports/exports/customSections`)
 * consume. Index spaces follow the spec: imported entities come first.
 *
 * Value types are their binary codes (0x7F i32 … 0x6F externref), so no mapping is
 * needed between the decoder, the validator and the constant pool of types; 0 is the
 * validator's "unknown" (bottom) type and never appears in a module.
 */
import type { ValidationContext } from './validator';

export const enum ValType {
  Unknown = 0,
  I32 = 0x7f,
  I64 = 0x7e,
  F32 = 0x7d,
  F64 = 0x7c,
  V128 = 0x7b,
  FuncRef = 0x70,
  ExternRef = 0x6f,
}

export function isValType(b: number): boolean {
  return (b >= 0x7b && b <= 0x7f) || b === 0x70 || b === 0x6f;
}
export function isRefType(b: number): boolean {
  return b === 0x70 || b === 0x6f;
}
export function valTypeName(t: number): string {
  switch (t) {
    case 0x7f: return 'i32';
    case 0x7e: return 'i64';
    case 0x7d: return 'f32';
    case 0x7c: return 'f64';
    case 0x7b: return 'v128';
    case 0x70: return 'funcref';
    case 0x6f: return 'externref';
    case 0: return '<unknown>';
    default: return `<0x${t.toString(16)}>`;
  }
}

export const enum ExternKind {
  Func = 0,
  Table = 1,
  Memory = 2,
  Global = 3,
}

/** "No value" in index columns (no maximum, null function in element lists, ...). */
export const NONE = 0xffffffff;

export interface FuncType {
  params: Uint8Array;
  results: Uint8Array;
}

export interface TableType {
  elemType: ValType; // FuncRef or ExternRef
  min: number;
  /** NONE when absent (a table may legally have max 0xFFFFFFFF, so check hasMax). */
  max: number;
  hasMax: boolean;
}

export interface MemoryType {
  /** In 64 KiB pages. */
  min: number;
  max: number;
  hasMax: boolean;
}

export interface GlobalType {
  type: ValType;
  mutable: boolean;
}

/** The one-instruction constant expressions of Wasm 2.0. */
export const enum ConstOp {
  I32 = 0x41, // value = lo
  I64 = 0x42, // lo, hi halves
  F32 = 0x43, // lo = bit pattern
  F64 = 0x44, // lo, hi = bit pattern halves
  V128 = 0xfd, // bytes
  RefNull = 0xd0, // type = reference type
  RefFunc = 0xd2, // index = function
  GlobalGet = 0x23, // index = (imported) global
}

export interface ConstExpr {
  op: ConstOp;
  /** Result type of the expression. */
  type: ValType;
  index: number;
  lo: number;
  hi: number;
  v128: Uint8Array | null;
  /** Byte offset of the expression in the module (for error messages at instantiation). */
  offset: number;
}

export type Import =
  | { module: string; name: string; kind: ExternKind.Func; typeIndex: number }
  | { module: string; name: string; kind: ExternKind.Table; table: TableType }
  | { module: string; name: string; kind: ExternKind.Memory; memory: MemoryType }
  | { module: string; name: string; kind: ExternKind.Global; global: GlobalType };

export interface Export {
  name: string;
  kind: ExternKind;
  index: number;
}

export interface Global {
  type: GlobalType;
  init: ConstExpr;
}

export const enum SegmentMode {
  Active = 0,
  Passive = 1,
  Declarative = 2,
}

export interface ElemSegment {
  mode: SegmentMode;
  /** Table index (active segments only). */
  table: number;
  offset: ConstExpr | null;
  elemType: ValType;
  /**
   * For funcref segments whose items are all `ref.func`/`ref.null` (the common case,
   * and every segment in the function-index encodings): the function index per item,
   * NONE for null. The runtime's lazy tables initialise from this directly.
   */
  funcIndices: Uint32Array | null;
  /** Item expressions when some item is not ref.func/ref.null (e.g. global.get). */
  exprs: ConstExpr[] | null;
  count: number;
}

/**
 * Data segments, one column per field (modules from some toolchains carry ~10^5
 * segments, so no object per segment). Wasm 2.0 offsets are `i32.const v` or
 * `global.get g` of an imported i32 global.
 */
export interface DataSegments {
  count: number;
  mode: Uint8Array; // SegmentMode.Active or Passive
  memory: Uint32Array;
  /** ConstOp.I32 or ConstOp.GlobalGet (active segments); 0 for passive ones. */
  offsetOp: Uint8Array;
  /** The i32 value, or the global index. */
  offsetValue: Int32Array;
  /** Byte range of the payload in the module bytes. */
  start: Uint32Array;
  end: Uint32Array;
}

export interface CustomSection {
  name: string;
  /** Payload byte range (after the name). */
  start: number;
  end: number;
}

export interface NameSection {
  moduleName: string | null;
  functionNames: Map<number, string>;
  localNames: Map<number, Map<number, string>>;
}

/**
 * The module environment. Function bodies are byte ranges into `bytes` (no copy):
 * `bodyStart[i]` is the first byte of the local declarations of defined function i,
 * `codeStart[i]` the first operator, `bodyEnd[i]` one past the final `end`.
 */
export interface ModuleEnv {
  bytes: Uint8Array;
  types: FuncType[];
  imports: Import[];
  /** Type index of every function (imported first). */
  funcTypes: Uint32Array;
  numImportedFuncs: number;
  tables: TableType[];
  numImportedTables: number;
  memories: MemoryType[];
  numImportedMemories: number;
  globals: GlobalType[];
  numImportedGlobals: number;
  /** Initialisers of the defined globals (index i ↔ global numImportedGlobals + i). */
  globalInits: ConstExpr[];
  exports: Export[];
  start: number; // NONE if absent
  elements: ElemSegment[];
  data: DataSegments;
  /** Value of the data count section, NONE if absent. */
  dataCount: number;
  bodyStart: Uint32Array;
  codeStart: Uint32Array;
  bodyEnd: Uint32Array;
  customSections: CustomSection[];
  names: NameSection | null;
  /** 1 for functions referenced by ref.func outside bodies, elements or exports. */
  declaredFuncs: Uint8Array;
  /** The same facts in flat typed arrays (type pool, function types, ...), for the
   * body validator and the translator. */
  validation: ValidationContext;
}
