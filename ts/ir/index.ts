/**
 * The IR layer's public surface (ir/): what the translator, optimiser, lowering
 * and tools import. See each module's header for details.
 */
export * as types from './types';
export { Type } from './types';
export { Function, NONE, Value, Inst, Block, Signature, AbiParam, StackSlotData, GlobalValueData, ExtFuncData, VK_NONE, VK_RESULT, VK_PARAM, VK_ALIAS, BF_EXISTS, BF_IN_LAYOUT, BF_COLD } from './function';
export { Op, Fmt, opName, opFormat, opFlags, opcodeByName, isTerminator, isBranch, F_TERMINATOR, F_BRANCH, F_CALL, F_CAN_TRAP, F_LOAD, F_STORE, F_SIDE_EFFECTS, F_RETURN } from './opcodes';
export * from './immediates';
export { parseClif, tryParseClif, parseFunction, ClifFile, ParsedFunction } from './parser';
export { ClifSyntaxError } from './lexer';
export { printFunction, printClifFile, instText, signatureText } from './printer';
export { verify, tryVerify, VerifierError, VerifierDiagnostic } from './verifier';
export { ControlFlowGraph, DominatorTree } from './dominance';
export { DefUse } from './defuse';
export { Interpreter, NaNMode } from './interpreter';
export { Executor, ExecResult, RunCommand, parseRunComment, slotsEqual, formatSlots } from './runtest';
