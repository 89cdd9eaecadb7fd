/**
 * Large inputs: a 50,000-long chain of single-use adds (deferred instructions are
 * emitted by recursion when their user asks: the chain depth is bounded), and a
 * function of 5,000 blocks with a loop through all of them; both compile and run
 * natively with the expected result. Smaller versions also pass the register
 * allocator's checker (which is too slow for the big ones).
 */
import test from 'ava';
import { parseClif } from '../../ts/ir/parser';
import { NativeExecutor } from '../../ts/tools/clif-native';

function run(src: string, arg: number, check: boolean): bigint {
  const file = parseClif(`test run\ntarget x86_64\n${src}`);
  const ex = new NativeExecutor({ check });
  const err = ex.prepare(file);
  if (err !== undefined) throw new Error(err);
  const args = new Uint32Array(4);
  args[0] = arg;
  const r = ex.call(file, 0, args);
  ex.release(file);
  if (r.kind !== 'ok') throw new Error(JSON.stringify(r));
  return BigInt(r.results[0]) | (BigInt(r.results[1]) << 32n);
}

function chain(n: number): string {
  let s = 'function %chain(i64) -> i64 {\nblock0(v0: i64):\n    v1 = iconst.i64 3\n';
  let prev = 'v0';
  for (let k = 0; k < n; k++) {
    s += `    v${k + 2} = iadd ${prev}, v1\n`;
    prev = `v${k + 2}`;
  }
  s += `    v${n + 5} = iconst.i64 1\n    v${n + 6} = icmp ugt ${prev}, v${n + 5}\n    brif v${n + 6}, block1, block2\nblock1:\n    return ${prev}\nblock2:\n    return v1\n}\n`;
  return s;
}

function blocks(n: number): string {
  let s = 'function %blocks(i64) -> i64 {\nblock0(v0: i64):\n    v1 = iconst.i64 0\n    jump block1(v0, v1)\n';
  let v = 10;
  for (let b = 1; b <= n; b++) {
    const i = v++, acc = v++, k = v++, sum = v++, c = v++;
    s += `block${b}(v${i}: i64, v${acc}: i64):\n    v${k} = iconst.i64 ${b}\n    v${sum} = iadd v${acc}, v${k}\n`;
    if (b < n) {
      s += `    v${c} = icmp eq v${i}, v${k}\n    brif v${c}, block${n + 1}(v${sum}), block${b + 1}(v${i}, v${sum})\n`;
    } else {
      s += `    v${c} = iconst.i64 1\n    jump block${n + 1}(v${sum})\n`;
    }
  }
  s += `block${n + 1}(v${v}: i64):\n    return v${v}\n}\n`;
  return s;
}

test('a 50,000-long chain of single-use adds', (t) => {
  t.is(run(chain(50000), 5, false), BigInt(5 + 3 * 50000));
  t.is(run(chain(2000), 5, true), BigInt(5 + 3 * 2000));
});

test('5,000 blocks in a loop', (t) => {
  const s = blocks(5000);
  t.is(run(s, 2500, false), BigInt(2500 * 2501 / 2));
  t.is(run(s, 999999, false), BigInt(5000 * 5001 / 2));
  t.is(run(blocks(300), 200, true), BigInt(200 * 201 / 2));
});
