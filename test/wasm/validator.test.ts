/**
 * Function-body validator: the stack-polymorphic rules after unreachable/br/return,
 * multi-value blocks, typed select, br_table arity, reference rules; and the
 * operator-by-operator API a translator uses to ask for stack types.
 */
import test from 'ava';
import { CompileError, FrameKind, FuncValidator, OperatorReader, decodeModule } from '../../ts/wasm';
import { Bytes, EXTERNREF, F32, FUNCREF, I32, I64, V128, body, funcModule, functype, module, section, vec } from './builder';

const end = 0x0b;
const unreachable = 0x00;
const drop = 0x1a;

function check(params: number[], results: number[], code: Bytes, extra: Bytes[] = []): string {
  try {
    decodeModule(funcModule(params, results, code, [], extra));
    return 'ok';
  } catch (e) {
    if (e instanceof CompileError) return e.reason;
    throw e;
  }
}

test('unreachable code is stack-polymorphic, exactly as the spec', (t) => {
  t.is(check([], [], [unreachable, 0x6a, drop, end]), 'ok'); // i32.add on unknowns
  t.is(check([], [I32], [unreachable, end]), 'ok');
  t.is(check([], [I32], [unreachable, 0x1b, end]), 'ok'); // select of unknowns yields unknown
  t.is(check([], [], [unreachable, 0xd1, drop, end]), 'ok'); // ref.is_null of unknown
  t.is(check([], [I32], [0x0f, 0x42, 0, end]), 'type mismatch'); // known i64 after return
  t.is(check([], [], [unreachable, 0x42, 0, 0x6a, drop, end]), 'type mismatch'); // i32.add on a known i64
  t.is(check([], [], [0x02, 0x40, unreachable, end, 0x6a, drop, end]), 'type mismatch'); // polymorphism ends with the block
  t.is(check([], [I32], [0x02, 0x7f, 0x0c, 0, end, end]), 'type mismatch'); // br without the value
  t.is(check([], [I32], [0x02, 0x7f, unreachable, 0x0c, 0, end, end]), 'ok');
  t.is(check([], [], [unreachable, 0x41, 0, 0x41, 0, 0x1b, 0xd1, drop, end]), 'type mismatch'); // select of i32 is i32
});

test('blocks: multi-value, parameters, if without else', (t) => {
  // types: 0 = the function, 1 = [i32 i32] -> [i32], 2 = [i32] -> [i32], 3 = [] -> [i32]
  const typed = (code: Bytes, results: number[] = []) => {
    try {
      decodeModule(module(
        section(1, vec([functype([], results), functype([I32, I32], [I32]), functype([I32], [I32]), functype([], [I32])])),
        section(3, vec([[0]])),
        section(10, vec([body([], code)])),
      ));
      return 'ok';
    } catch (e) {
      return (e as CompileError).reason;
    }
  };
  t.is(typed([0x41, 1, 0x41, 2, 0x02, 1, 0x6a, end, drop, end]), 'ok');
  t.is(typed([0x41, 1, 0x02, 1, 0x6a, end, drop, end]), 'type mismatch'); // one param short
  t.is(typed([0x41, 1, 0x41, 1, 0x04, 2, end, drop, end]), 'ok'); // if [i32]->[i32] without else
  t.is(typed([0x41, 1, 0x04, 3, 0x41, 1, end, drop, end]), 'type mismatch'); // [] -> [i32] needs an else
  t.is(typed([0x41, 1, 0x04, 3, 0x41, 1, 0x05, 0x41, 2, end, drop, end]), 'ok');
  t.is(typed([0x41, 1, 0x03, 2, 0x0c, 0, end, end], []), 'type mismatch'); // loop label takes the param...
  t.is(typed([0x41, 1, 0x03, 2, 0x0c, 0, end, drop, end], []), 'ok'); // ... and the loop end pushes the result
  t.is(typed([0x02, 9, end, end]), 'unknown type 9');
  t.is(typed([0x05, end]), 'else does not match an if');
});

test('br_table: consistent arity, labels typed against the stack', (t) => {
  // (block (result i32) (block (result T) <ops> br_table 0 1) drop i32.const 0) drop
  const nest = (inner: number, ops: Bytes) => [0x02, 0x7f, 0x02, inner, ...ops, 0x0e, 1, 0, 1, end, drop, 0x41, 0, end, drop, end];
  t.is(check([], [], nest(0x7f, [0x41, 0, 0x41, 0])), 'ok');
  t.is(check([], [], nest(0x7e, [0x41, 0, 0x41, 0])), 'type mismatch'); // label 0 wants i64
  // In unreachable code labels of different types are fine while no known operand conflicts...
  t.is(check([], [], nest(0x7e, [unreachable])), 'ok');
  t.is(check([], [], nest(0x7e, [unreachable, 0x41, 0, 0x41, 0])), 'type mismatch');
  // ... but the arities must agree even there.
  t.is(check([], [], [0x02, 0x40, 0x02, 0x7f, unreachable, 0x0e, 1, 0, 1, end, drop, end, end]), 'type mismatch');
  t.is(check([], [], [0x41, 0, 0x0e, 0, 3, end]), 'unknown label 3');
});

test('typed select, references, locals, globals', (t) => {
  t.is(check([], [], [0xd0, FUNCREF, 0xd0, FUNCREF, 0x41, 0, 0x1b, drop, end]), 'type mismatch'); // untyped select of refs
  t.is(check([], [], [0xd0, FUNCREF, 0xd0, FUNCREF, 0x41, 0, 0x1c, 1, FUNCREF, drop, end]), 'ok');
  t.is(check([], [], [0x41, 0, 0x41, 0, 0x41, 0, 0x1c, 2, I32, I32, drop, end]), 'invalid result arity');
  t.is(check([], [], [0xd0, EXTERNREF, 0xd1, drop, end]), 'ok');
  t.is(check([], [], [0x41, 0, 0xd1, drop, end]), 'type mismatch');
  t.is(check([], [], [0xd2, 0, drop, end]), 'undeclared function reference');
  t.is(check([], [], [0xd2, 0, drop, end], [section(7, vec([[1, 0x66, 0, 0]]))]), 'ok'); // exported => declared
  t.is(check([I32], [I32], [0x20, 0, end]), 'ok');
  t.is(check([I32], [I32], [0x20, 1, end]), 'unknown local 1');
  t.is(check([], [], [0x23, 0, drop, end], [section(6, vec([[I32, 0, 0x41, 0, end]]))]), 'ok');
  t.is(check([], [], [0x41, 0, 0x24, 0, end], [section(6, vec([[I32, 0, 0x41, 0, end]]))]), 'global is immutable');
});

test('memory and SIMD immediates: alignment, lanes, memory presence', (t) => {
  const mem = [section(5, vec([[0, 1]]))];
  t.is(check([], [], [0x41, 0, 0x28, 2, 0, drop, end], mem), 'ok');
  t.is(check([], [], [0x41, 0, 0x28, 3, 0, drop, end], mem), 'alignment must not be larger than natural');
  t.is(check([], [], [0x41, 0, 0x28, 2, 0, drop, end]), 'unknown memory 0');
  t.is(check([], [], [0x41, 0, 0xfd, 0x00, 4, 0, drop, end], mem), 'ok'); // v128.load align 16
  t.is(check([], [], [0x41, 0, 0xfd, 0x00, 5, 0, drop, end], mem), 'alignment must not be larger than natural');
  const v = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
  t.is(check([], [I32], [...v, 0xfd, 0x15, 15, end]), 'ok'); // i8x16.extract_lane_s 15
  t.is(check([], [I32], [...v, 0xfd, 0x15, 16, end]), 'invalid lane index');
  t.is(check([], [V128], [...v, ...v, 0xfd, 0x0d, ...new Array<number>(16).fill(31), end]), 'ok');
  t.is(check([], [V128], [...v, ...v, 0xfd, 0x0d, ...new Array<number>(15).fill(0), 32, end]), 'invalid lane index');
  t.is(check([], [V128], [0x41, 0, ...v, 0xfd, 0x57, 3, 0, 1, end], mem), 'ok'); // v128.load64_lane lane 1
  t.is(check([], [V128], [0x41, 0, ...v, 0xfd, 0x57, 3, 0, 2, end], mem), 'invalid lane index');
  t.is(check([], [], [0xfd, 0x9a, 0x01, end]), 'illegal opcode'); // a gap in the SIMD opcode space
  t.is(check([], [], [0x3f, 0x01, drop, end], mem), 'zero byte expected');
});

test('driving the validator operator by operator exposes the stack types', (t) => {
  // f(i32, f32) -> i64 with one local i64
  const code = [0x20, 0, 0x20, 1, 0x02, 0x40, 0x20, 2, 0x1a, end, 0x1a, 0x1a, 0x20, 2, end];
  const bytes = funcModule([I32, F32], [I64], code, [[1, I64]]);
  const env = decodeModule(bytes, { validateBodies: false });
  const r = new OperatorReader(bytes, env.bodyStart[0], env.bodyEnd[0]);
  const v = new FuncValidator(env.validation);
  t.is(v.begin(0, r), env.codeStart[0]);
  t.deepEqual([v.localType(0), v.localType(1), v.localType(2)], [I32, F32, I64]);
  t.is(v.frameKind(0), FrameKind.Func);
  const trace: string[] = [];
  while (v.controlDepth > 0) {
    v.step(r.read(), r);
    const types: number[] = [];
    for (let d = v.stackHeight - 1; d >= 0; d--) types.push(v.valType(d));
    trace.push(`${v.controlDepth}:${types.map((x) => x.toString(16)).join(',')}`);
  }
  t.deepEqual(trace, ['1:7f', '1:7f,7d', '2:7f,7d', '2:7f,7d,7e', '2:7f,7d', '1:7f,7d', '1:7f', '1:', '1:7e', '0:7e']);
  t.is(r.pos, r.end);
});

test('one validator reused across functions gives the same verdicts', (t) => {
  // Function 0 leaves the validator deep in blocks when it fails; function 1 is valid.
  const bytes = module(
    section(1, vec([functype([], []), functype([], [I32])])),
    section(3, vec([[0], [1]])),
    section(10, vec([body([], [0x02, 0x40, 0x02, 0x40, 0x42, 0, end, end, end]), body([], [0x41, 7, end])])),
  );
  const env = decodeModule(bytes, { validateBodies: false });
  const v = new FuncValidator(env.validation);
  const r0 = new OperatorReader(bytes, env.bodyStart[0], env.bodyEnd[0]);
  t.throws(() => v.validateBody(0, r0), { instanceOf: CompileError, message: /type mismatch/ });
  const r1 = new OperatorReader(bytes, env.bodyStart[1], env.bodyEnd[1]);
  t.notThrows(() => v.validateBody(1, r1));
});
