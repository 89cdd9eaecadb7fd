/**
 * The Wasm → IR translator (translate/): entry points. See translator.ts (operators,
 * control) and environ.ts (memory, tables, globals, calls through the VMContext layout
 * of runtime/vmoffsets.ts).
 */
export { FuncTranslator, translateFunction } from './translator';
export type { TranslateOptions } from './environ';
