import test from 'ava';
import { RegisterAllocator, checkAllocation } from '../../ts/regalloc/index';
import { defaultGen, randomFunction, smallEnv, x64Env } from '../../ts/regalloc/fuzzgen';

test('fuzz: random functions allocate and check (x64 env)', (t) => {
  const ra = new RegisterAllocator();
  const env = x64Env();
  for (let seed = 1; seed <= 200; seed++) {
    const f = randomFunction(seed, defaultGen);
    const out = ra.allocate(f, env);
    try {
      checkAllocation(f, env, out);
    } catch (e) {
      t.fail(`seed ${seed}: ${(e as Error).message}`);
      return;
    }
  }
  t.pass();
});

test('fuzz: random functions allocate and check (small env)', (t) => {
  const ra = new RegisterAllocator();
  const env = smallEnv();
  for (let seed = 1; seed <= 200; seed++) {
    const f = randomFunction(seed, { ...defaultGen, small: true });
    try {
      const out = ra.allocate(f, env);
      checkAllocation(f, env, out);
    } catch (e) {
      t.fail(`seed ${seed}: ${(e as Error).message}`);
      return;
    }
  }
  t.pass();
});

test('fuzz: arbitrary client loop depths change decisions, never correctness', (t) => {
  const ra = new RegisterAllocator();
  const env = smallEnv();
  for (let seed = 1; seed <= 100; seed++) {
    const f = randomFunction(seed, { ...defaultGen, small: true, randomDepths: true });
    try {
      checkAllocation(f, env, ra.allocate(f, env));
    } catch (e) {
      t.fail(`seed ${seed}: ${(e as Error).message}`);
      return;
    }
  }
  t.pass();
});
