/**
 * Public surface of the Wasm front end (decoder + validator), first stage of the
 * pipeline. The translator reads bodies with OperatorReader and, optionally, drives a
 * FuncValidator beside it; the runtime and the JS API consume ModuleEnv.
 */
export { CompileError } from './errors';
export { PARALLEL_MIN_BYTES, customSections, decodeLocals, decodeModule, validate, validateFunction } from './decoder';
export type { DecodeOptions } from './decoder';
export { decodeNameSection } from './names';
export { formatImmediates, printBody } from './print';
export { OperatorReader } from './operators';
export { Reader } from './reader';
export { FrameKind, FuncValidator, MAX_LOCALS, ValidationContext } from './validator';
export * from './opcodes';
export * from './types';
