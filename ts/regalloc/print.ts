// Register allocator: a text dump of a function and its allocation.
//
// For test failure messages and debugging only. One line per instruction:
// edits before it, then `inst: op op ... -> allocations`.

import {
  OperandConstraint as C,
  RaFunction,
  RaOutput,
  allocToString,
  opConstraint,
  opIsDef,
  opIsLate,
  opPayload,
} from './interface';

const CNAME = ['any', 'reg', 'stack', 'fixed', 'reuse'];

export function formatOperand(f: RaFunction, o: number): string {
  const info = f.opInfo[o];
  const c = opConstraint(info);
  const extra = c === C.Fixed ? '=' + allocToString(opPayload(info)) : c === C.Reuse ? String(opPayload(info)) : '';
  return `${opIsDef(info) ? 'def' : 'use'}${opIsLate(info) ? '.late' : ''} v${f.opVReg[o]}:${CNAME[c]}${extra}`;
}

export function formatFunction(f: RaFunction, out: RaOutput | null = null): string {
  const lines: string[] = [];
  let e = 0;
  for (let b = 0; b < f.numBlocks; b++) {
    const ps: string[] = [];
    for (let k = f.blockParamStart[b]; k < f.blockParamStart[b + 1]; k++) ps.push('v' + f.paramPool[k]);
    const pr: number[] = [];
    for (let k = f.blockPredStart[b]; k < f.blockPredStart[b + 1]; k++) pr.push(f.predPool[k]);
    lines.push(`block${b}(${ps.join(', ')}):  ; preds ${pr.join(',')}`);
    for (let i = f.blockInstStart[b]; i < f.blockInstStart[b + 1]; i++) {
      while (out !== null && e < out.numEdits && out.editInst[e] === i) {
        lines.push(`    move ${allocToString(out.editFrom[e])} -> ${allocToString(out.editTo[e])}`);
        e++;
      }
      const ops: string[] = [];
      for (let o = f.instOpStart[i]; o < f.instOpStart[i + 1]; o++) {
        ops.push(formatOperand(f, o) + (out !== null ? ` @${allocToString(out.opAlloc[o])}` : ''));
      }
      let s = `  ${i}: [${ops.join(', ')}]`;
      if (i === f.blockInstStart[b + 1] - 1) {
        const ss: string[] = [];
        for (let k = f.blockSuccStart[b]; k < f.blockSuccStart[b + 1]; k++) {
          const a: string[] = [];
          for (let x = f.succArgStart[k]; x < f.succArgStart[k + 1]; x++) a.push('v' + f.argPool[x]);
          ss.push(`block${f.succPool[k]}(${a.join(', ')})`);
        }
        s += ss.length > 0 ? ' -> ' + ss.join(' ') : ' ret';
      }
      lines.push(s);
    }
  }
  return lines.join('\n');
}
