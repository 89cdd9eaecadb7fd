/**
 * ValidationContext: the module-level facts that function-body validation (and, later,
 * translation) needs — function types as ranges of one type pool, the type of every
 * function, table element types, global types and mutability, element segment types,
 * the data count and the declared-function set — in flat typed arrays, filled by the
 * decoder as sections arrive and structured-cloneable to worker threads.
 */
import { NONE } from './types';

/**
 * Module-level facts the body validator needs, in flat typed arrays. Filled by the
 * decoder as sections arrive (all of it is known before the code section).
 */
export class ValidationContext {
  /** Value types of all function types: params then results, per type. */
  typePool = new Uint8Array(64);
  poolLen = 0;
  typeParamStart = new Uint32Array(16);
  typeParamLen = new Uint32Array(16);
  typeResultStart = new Uint32Array(16);
  typeResultLen = new Uint32Array(16);
  numTypes = 0;
  funcTypes = new Uint32Array(16);
  numFuncs = 0;
  tableTypes = new Uint8Array(4);
  numTables = 0;
  numMemories = 0;
  globalTypes = new Uint8Array(16);
  globalMutable = new Uint8Array(16);
  numGlobals = 0;
  elemTypes = new Uint8Array(4);
  numElems = 0;
  dataCount = NONE;
  declared = new Uint8Array(0);

  constructor() {
    // Pool slots 0..127 hold each single value type at its own code's index - 0x60,
    // so the block type `t` is the range (t - 0x60, 1).
    this.poolLen = 0x20;
    for (let t = 0x60; t < 0x80; t++) this.typePool[t - 0x60] = t;
  }

  addType(params: Uint8Array, results: Uint8Array): void {
    const i = this.numTypes++;
    if (i >= this.typeParamStart.length) {
      const n = i * 2;
      this.typeParamStart = grow32(this.typeParamStart, n);
      this.typeParamLen = grow32(this.typeParamLen, n);
      this.typeResultStart = grow32(this.typeResultStart, n);
      this.typeResultLen = grow32(this.typeResultLen, n);
    }
    const need = this.poolLen + params.length + results.length;
    if (need > this.typePool.length) {
      const p = new Uint8Array(Math.max(need, this.typePool.length * 2));
      p.set(this.typePool);
      this.typePool = p;
    }
    this.typeParamStart[i] = this.poolLen;
    this.typeParamLen[i] = params.length;
    this.typePool.set(params, this.poolLen);
    this.poolLen += params.length;
    this.typeResultStart[i] = this.poolLen;
    this.typeResultLen[i] = results.length;
    this.typePool.set(results, this.poolLen);
    this.poolLen += results.length;
  }

  addFunc(typeIndex: number): void {
    if (this.numFuncs >= this.funcTypes.length) this.funcTypes = grow32(this.funcTypes, this.numFuncs * 2 + 16);
    this.funcTypes[this.numFuncs++] = typeIndex;
  }
  addTable(elemType: number): void {
    if (this.numTables >= this.tableTypes.length) this.tableTypes = grow8(this.tableTypes, this.numTables * 2 + 4);
    this.tableTypes[this.numTables++] = elemType;
  }
  addGlobal(type: number, mutable: boolean): void {
    if (this.numGlobals >= this.globalTypes.length) {
      this.globalTypes = grow8(this.globalTypes, this.numGlobals * 2 + 16);
      this.globalMutable = grow8(this.globalMutable, this.numGlobals * 2 + 16);
    }
    this.globalTypes[this.numGlobals] = type;
    this.globalMutable[this.numGlobals++] = mutable ? 1 : 0;
  }
  addElem(type: number): void {
    if (this.numElems >= this.elemTypes.length) this.elemTypes = grow8(this.elemTypes, this.numElems * 2 + 4);
    this.elemTypes[this.numElems++] = type;
  }
}

export function grow32(a: Uint32Array, n: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}
export function grow8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}

