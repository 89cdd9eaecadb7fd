// Register allocator: the client contract (regalloc2-shaped, brief §5).
//
// Pipeline position: isa lowering produces VCode (machine instructions on
// virtual registers) and describes it to the allocator through `RaFunction`;
// the allocator returns an `RaOutput` that the emitter (machinst) consumes.
// Nothing in ts/regalloc imports from the ISA or the IR: the allocator only
// sees this file's types, so it is tested entirely on synthetic functions.
//
// Everything is dense numeric ids in typed arrays, lists in CSR form
// (`xStart[k] .. xStart[k + 1]` indexes a shared pool). "None" is -1 in
// Int32Array columns (bit pattern 0xFFFFFFFF).

/** Register class. A vreg and every location holding it share one class. */
export const enum RegClass {
  Int = 0,
  /** Float and 128-bit vector registers (xmm). */
  Float = 1,
}
export const NUM_CLASSES = 2;

/**
 * Physical register: `cls * 32 + hw`. On x86-64 hw is the encoding number
 * (rax = 0 ... r15 = 15, xmm0 = 0 ... xmm15 = 15), but nothing here assumes it.
 */
export type PReg = number;
export const MAX_HW = 32;
export function preg(cls: RegClass, hw: number): PReg {
  return cls * MAX_HW + hw;
}
export function pregClass(p: PReg): RegClass {
  return (p >> 5) as RegClass;
}
export function pregHw(p: PReg): number {
  return p & 31;
}

/**
 * Allocation (a location) encoded in 32 bits:
 *   0 .. 63            a physical register (PReg)
 *   0x40000000 | w     a spill-area stack location starting at 8-byte word w
 *                      (int values take one word, float/vector values two,
 *                      2-word aligned: offset in the spill area = 8 * w)
 *   -1                 none
 */
export type Allocation = number;
export const ALLOC_NONE = -1;
export const ALLOC_STACK_BIT = 0x40000000;
export function allocIsReg(a: Allocation): boolean {
  return a >= 0 && a < ALLOC_STACK_BIT;
}
export function allocIsStack(a: Allocation): boolean {
  return a >= ALLOC_STACK_BIT;
}
export function allocStack(word: number): Allocation {
  return ALLOC_STACK_BIT | word;
}
export function allocStackWord(a: Allocation): number {
  return a & 0x3fffffff;
}
export function allocToString(a: Allocation): string {
  if (a === ALLOC_NONE) return 'none';
  if (allocIsStack(a)) return `stack${allocStackWord(a)}`;
  return `${pregClass(a) === RegClass.Int ? 'r' : 'x'}${pregHw(a)}`;
}

// ---------------------------------------------------------------------------
// Operands: one packed info word per operand (with the vreg in a parallel
// column). Layout of the info word:
//   bits 0..2   constraint kind (OperandConstraint)
//   bit  3      1 = def, 0 = use
//   bit  4      1 = late, 0 = early
//   bits 8..15  payload: PReg for Fixed, operand index (within the
//               instruction) of the reused input for Reuse

export const enum OperandConstraint {
  /** Register or stack, the allocator chooses. */
  Any = 0,
  /** Any register of the vreg's class. */
  Reg = 1,
  /** The vreg's spill slot (a stack location). */
  Stack = 2,
  /** Exactly the PReg in the payload. */
  Fixed = 3,
  /**
   * Def only: same register as the use operand whose index is in the payload
   * (x86 two-address forms). The def is written at the early point of the
   * instruction (it clobbers the input), the input is consumed by a move in
   * the gap before the instruction; when the input dies there, hints make
   * that move a no-op.
   */
  Reuse = 4,
}

export const enum OperandKind {
  Use = 0,
  Def = 1,
}
export const enum OperandPos {
  /** Read/written at the start of the instruction (normal for uses). */
  Early = 0,
  /** Read/written at the end (normal for defs; a late use may not share a
   *  register with the instruction's defs). */
  Late = 1,
}

export function operand(
  constraint: OperandConstraint,
  kind: OperandKind,
  pos: OperandPos,
  payload = 0,
): number {
  return constraint | (kind << 3) | (pos << 4) | (payload << 8);
}
export function opConstraint(info: number): OperandConstraint {
  return (info & 7) as OperandConstraint;
}
export function opIsDef(info: number): boolean {
  return (info & 8) !== 0;
}
export function opIsLate(info: number): boolean {
  return (info & 16) !== 0;
}
export function opPayload(info: number): number {
  return (info >> 8) & 0xff;
}

// Per-instruction flags.
export const INST_BRANCH = 1; // block terminator (exactly the last instruction of each block)
export const INST_RET = 2; // return: set together with INST_BRANCH, no successors
export const INST_MOVE = 4; // a plain copy: operand 0 = use, operand 1 = def, same class

/**
 * A function as the allocator sees it. Requirements (asserted by
 * `validateFunction`):
 *  - blocks are numbered in layout order, block 0 is the entry and has no
 *    params and no predecessors (function arguments are Fixed defs of a first
 *    instruction); block b holds instructions `blockInstStart[b] .. blockInstStart[b+1]`
 *    (so instructions are numbered in layout order too); every block is
 *    non-empty and its last instruction, and only that one, is a terminator
 *    (flag INST_BRANCH; a return carries INST_BRANCH | INST_RET);
 *  - SSA: every vreg is defined exactly once (an operand def or a block
 *    param) and the definition dominates its uses;
 *  - no critical edges: a block with several successors only jumps to blocks
 *    with one predecessor;
 *  - terminators define nothing; a terminator with exactly one successor has no
 *    operands at all (edge moves are placed just before it);
 *  - branch arguments are not operands: `succArgStart` gives, for every
 *    successor slot `k` (`blockSuccStart[b] <= k < blockSuccStart[b+1]`), the
 *    vregs passed to the successor's params, in order;
 *  - a move instruction (INST_MOVE) has exactly two operands: use (operand 0)
 *    and def (operand 1), both Any or Reg, same class;
 *  - register demand: per class, an instruction's Reg/Reuse operands plus its
 *    late uses, early defs and Fixed registers must fit in the allocatable
 *    registers of that class (a value read early in a register and live after
 *    the instruction keeps its register through the instruction).
 */
export interface RaFunction {
  numBlocks: number;
  numInsts: number;
  numVRegs: number;
  /** RegClass per vreg. */
  vregClass: Uint8Array;
  /** numBlocks + 1 entries. */
  blockInstStart: Int32Array;
  /** CSR successors: numBlocks + 1 entries into succPool. */
  blockSuccStart: Int32Array;
  succPool: Int32Array;
  /** CSR predecessors, consistent with successors. */
  blockPredStart: Int32Array;
  predPool: Int32Array;
  /** CSR block params (vregs). */
  blockParamStart: Int32Array;
  paramPool: Int32Array;
  /** Per successor slot (succPool index): CSR branch args, succPool.length + 1 entries. */
  succArgStart: Int32Array;
  argPool: Int32Array;
  /** CSR operands per instruction: numInsts + 1 entries into opVReg/opInfo. */
  instOpStart: Int32Array;
  opVReg: Int32Array;
  opInfo: Int32Array;
  /** INST_* flags per instruction. */
  instFlags: Uint8Array;
  /**
   * Clobber set per instruction: -1, or an index into `clobberMasks`, which
   * holds NUM_CLASSES 32-bit masks (bit hw) per set. A register that is also a
   * Fixed def of the same instruction is not treated as clobbered.
   */
  instClobbers: Int32Array;
  clobberMasks: Int32Array;
  /** Loop depth per block, or null to let the allocator compute it. */
  blockLoopDepth: Uint8Array | null;
}

/** Registers the allocator may use, per class. */
export interface MachineEnv {
  /** Caller-saved registers, tried first. Indexed by RegClass. */
  preferred: PReg[][];
  /** Callee-saved registers: used when a value must survive a call or pressure is high. */
  nonPreferred: PReg[][];
  /** One reserved register per class for the move resolver (never allocated). */
  scratch: PReg[];
}

export interface RaStats {
  /** Moves register -> stack (spill stores). */
  spills: number;
  /** Moves stack -> register (reloads). */
  reloads: number;
  /** Moves register -> register. */
  regMoves: number;
  /** Moves stack -> stack (each emitted as two edits through the scratch register). */
  stackMoves: number;
  /** Interval splits made during allocation. */
  splits: number;
  /** Live intervals after splitting. */
  intervals: number;
  /** INST_MOVE instructions whose use and def got the same location (the emitter drops them). */
  coalescedMoves: number;
  /** Edits weighted by the loop depth where they execute (8^depth each): a static cost estimate. */
  weightedEdits: number;
}

/**
 * The allocator's answer.
 *
 * Edits: edit k is a move `editFrom[k] -> editTo[k]` of class `editClass[k]`
 * executed just before instruction `editInst[k]`. Edits are sorted by
 * instruction and must be executed in list order. Every edit is
 * register-to-register or between a register and a stack location, never
 * stack-to-stack (such copies are already split through the scratch
 * register). Edge moves for a block with a single successor come just before
 * its terminator; for a block with several successors they come at the start
 * of each successor (before its first instruction).
 */
export interface RaOutput {
  /** Allocation per operand (same indexing as opVReg/opInfo). */
  opAlloc: Int32Array;
  numEdits: number;
  editInst: Int32Array;
  editFrom: Int32Array;
  editTo: Int32Array;
  editClass: Uint8Array;
  /** Size of the spill area in 8-byte words (vector slots are 2-word aligned). */
  spillWords: number;
  /** Callee-saved (non-preferred) registers written anywhere (the prologue saves them). */
  calleeSavedUsed: PReg[];
  stats: RaStats;
}

export class RegallocError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegallocError';
  }
}

/** Throws a RegallocError (use behind a condition so the message is built only on failure). */
export function fail(msg: string): never {
  throw new RegallocError(msg);
}

/** Internal invariant check: a failure is an allocator (or client) bug. */
export function assert(cond: boolean, msg: string): asserts cond {
  if (!cond) throw new RegallocError(msg);
}
