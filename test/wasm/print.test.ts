/**
 * Body listings (print.ts): the exact text for a body that uses most immediate kinds.
 */
import test from 'ava';
import { decodeModule, printBody } from '../../ts/wasm';
import { F64, I32, I64, body, functype, module, name, section, u32, vec } from './builder';

test('printBody lists operators with their immediates, indented by nesting', (t) => {
  const end = 0x0b;
  const code = [
    0x02, 0x7f, // block (result i32)
    0x41, 0x7f, // i32.const -1
    0x20, 0x00, // local.get 0
    0x0d, 0x00, // br_if 0
    end,
    0x04, 0x40, // if
    0x42, 0x80, 0x80, 0x80, 0x80, 0x10, // i64.const 2^32
    0x21, 0x01, // local.set 1
    0x05, // else
    0x44, 0, 0, 0, 0, 0, 0, 0xf8, 0xbf, // f64.const -1.5
    0x1a, // drop
    end,
    0x41, 0x00,
    0x28, 0x02, 0x10, // i32.load offset=16 align=4
    0x0e, 0x02, 0x00, 0x00, 0x00, // br_table 0 0 0
    end,
  ];
  const bytes = module(
    section(1, vec([functype([I32], [])])),
    section(3, vec([[0]])),
    section(5, vec([[0, 1]])),
    section(10, vec([body([[1, I64], [1, F64]], code)])),
    section(0, [...name('name'), ...section(1, vec([[...u32(0), ...name('f')]]))]),
  );
  const env = decodeModule(bytes);
  t.is(printBody(env, 0), [
    'func 0 f (param i32)',
    '  (local i64 f64)',
    '  block (result i32)',
    '    i32.const -1',
    '    local.get 0',
    '    br_if 0',
    '  end',
    '  if',
    '    i64.const 4294967296',
    '    local.set 1',
    '  else',
    '    f64.const -1.5',
    '    drop',
    '  end',
    '  i32.const 0',
    '  i32.load offset=16 align=4',
    '  br_table 0 0 0',
    'end',
  ].join('\n'));
});
