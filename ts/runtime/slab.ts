/**
 * Small native records (memory and table definitions, global cells) carved out of
 * larger native blocks, so that creating a `WebAssembly.Memory` or `Global` does not
 * cost a native allocation each. Runtime layer: generated code reads these records by
 * address; TypeScript reads and writes them through typed-array views.
 *
 * One slab per record size. Chunks are never returned to the system; freed records
 * go on a free list and are zeroed when handed out again.
 */
import { addon } from '../native/addon';

const CHUNK_BYTES = 64 * 1024;

export interface Record16 {
  /** address of the record */
  readonly address: number;
  /** the chunk's buffer and the record's byte offset in it */
  readonly buffer: ArrayBuffer;
  readonly offset: number;
}

export class Slab {
  private readonly recordBytes: number;
  private chunks: ArrayBuffer[] = [];
  private chunkAddresses: number[] = [];
  private next = CHUNK_BYTES; // forces a chunk on first use
  private freeList: Record16[] = [];

  constructor(recordBytes: number) {
    if (recordBytes % 16 !== 0 || recordBytes <= 0 || recordBytes > CHUNK_BYTES) {
      throw new Error(`derrick internal error: bad slab record size ${recordBytes}`);
    }
    this.recordBytes = recordBytes;
  }

  alloc(): Record16 {
    const reused = this.freeList.pop();
    if (reused !== undefined) {
      new Uint8Array(reused.buffer, reused.offset, this.recordBytes).fill(0);
      return reused;
    }
    if (this.next + this.recordBytes > CHUNK_BYTES) {
      this.chunks.push(addon.blockAlloc(CHUNK_BYTES, true));
      this.chunkAddresses.push(addon.addressOf(this.chunks[this.chunks.length - 1]));
      this.next = 0;
    }
    const c = this.chunks.length - 1;
    const rec = { address: this.chunkAddresses[c] + this.next, buffer: this.chunks[c], offset: this.next };
    this.next += this.recordBytes;
    return rec;
  }

  free(rec: Record16): void {
    this.freeList.push(rec);
  }
}

/** 16-byte records: {base, length} definitions and 16-byte global cells. */
export const slab16 = new Slab(16);
