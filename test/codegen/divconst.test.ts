/**
 * Division and remainder by constants (shifts, masks, magic multiplications) at
 * every integer width, signed and unsigned, against the interpreter on edge and
 * random dividends.
 */
import test from 'ava';
import { parseClif } from '../../ts/ir/parser';
import { Interpreter } from '../../ts/ir/interpreter';
import { NativeExecutor } from '../../ts/tools/clif-native';
import { compareCall, genValue, rng } from './diff';
import * as T from '../../ts/ir/types';

const DIVISORS = ['1', '2', '3', '5', '6', '7', '10', '11', '13', '25', '64', '100', '125', '641', '1000', '65521',
  '-2', '-3', '-5', '-7', '-8', '-10', '-1000', '0x7fffffff', '0x55555555', '0x80000001', '6700417',
  '0x100000000', '0xcccccccccccccccd', '0x7fffffffffffffff', '0x1000000000000001', '0xfffffffffffffff9'];

test('division by constants agrees with the interpreter', (t) => {
  let src = 'test run\ntarget x86_64\n';
  const fns: { name: string; ty: T.Type }[] = [];
  for (const ty of ['i8', 'i16', 'i32', 'i64']) {
    const bits = Number(ty.slice(1));
    for (const op of ['udiv', 'urem', 'sdiv', 'srem']) {
      DIVISORS.forEach((d, k) => {
        let v = BigInt(d);
        v = BigInt.asUintN(bits, v);
        if (v === 0n) return;
        const name = `%${op}_${ty}_${k}`;
        fns.push({ name, ty: T.parseType(ty) });
        src += `function ${name}(${ty}) -> ${ty} {\nblock0(v0: ${ty}):\n    v1 = iconst.${ty} 0x${v.toString(16)}\n    v2 = ${op} v0, v1\n    return v2\n}\n`;
      });
    }
  }
  const file = parseClif(src);
  const native = new NativeExecutor();
  t.is(native.prepare(file), undefined);
  const interp = new Interpreter({ nan: 'x86' });
  const r = rng(77);
  const args = new Uint32Array(4);
  let compared = 0;
  const bad: string[] = [];
  fns.forEach((fn, index) => {
    for (let n = 0; n < 24; n++) {
      genValue(r, fn.ty, args, 0);
      const m = compareCall(interp, native, file, index, args);
      if (m === 'skip') continue;
      compared++;
      if (m !== undefined) bad.push(`${fn.name}(${m.args}): interpreter ${m.interp}, native ${m.native}`);
    }
  });
  native.release(file);
  for (const b of bad.slice(0, 20)) t.log(b);
  t.is(bad.length, 0);
  t.true(compared > 5000, `${compared} calls compared`);
});
