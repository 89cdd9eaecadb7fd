/**
 * Register facts: PReg packing, printable names (against the names objdump prints,
 * kept independently in intel.ts) and the System V sets.
 */
import test from 'ava';
import * as R from '../../../ts/isa/x64/regs';
import { reg } from './intel';

test('PReg packing round-trips class and hardware number', (t) => {
  for (let hw = 0; hw < 16; hw++) {
    t.is(R.gpr(hw), hw);
    t.is(R.xmm(hw), 32 + hw);
    t.is(R.pregClass(R.gpr(hw)), R.RegClass.Int);
    t.is(R.pregClass(R.xmm(hw)), R.RegClass.Float);
    t.is(R.pregHw(R.xmm(hw)), hw);
    t.is(R.preg(R.RegClass.Float, hw), R.xmm(hw));
  }
  t.is(R.pregName(R.gpr(R.Gpr.R13)), 'r13');
  t.is(R.pregName(R.xmm(9)), 'xmm9');
});

test('GPR names at every width match the disassembler names', (t) => {
  for (const size of [1, 2, 4, 8]) {
    for (let hw = 0; hw < 16; hw++) t.is(R.gprName(hw, size), reg(hw, size));
  }
  t.throws(() => R.gprName(0, 3));
});

test('System V sets: callee- and caller-saved partition the GPRs except rsp', (t) => {
  t.deepEqual([...R.SYSV_INT_ARGS], [7, 6, 2, 1, 8, 9]);
  t.deepEqual([...R.SYSV_INT_RETS], [0, 2]);
  t.is(R.SYSV_CALLEE_SAVED_INT_MASK & R.SYSV_CALLER_SAVED_INT_MASK, 0);
  t.is(R.SYSV_CALLEE_SAVED_INT_MASK | R.SYSV_CALLER_SAVED_INT_MASK, 0xffff & ~(1 << R.Gpr.RSP));
  t.is(R.SYSV_CALLEE_SAVED_INT_MASK, (1 << 3) | (1 << 5) | (1 << 12) | (1 << 13) | (1 << 14) | (1 << 15));
  for (const a of R.SYSV_INT_ARGS) t.true((R.SYSV_CALLER_SAVED_INT_MASK & (1 << a)) !== 0);
  t.is(R.SYSV_CALLER_SAVED_FLOAT_MASK, 0xffff);
  t.true(R.byteRegNeedsRex(R.Gpr.RSI));
  t.false(R.byteRegNeedsRex(R.Gpr.RBX));
  t.false(R.byteRegNeedsRex(R.Gpr.R8));
});
