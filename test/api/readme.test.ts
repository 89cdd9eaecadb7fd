/**
 * The README's example, verbatim apart from the require path: load bytes, instantiate
 * with derrick's WebAssembly namespace, call an export.
 */
import test from 'ava';

test('README example', async (t) => {
  const { WebAssembly } = require('../../ts/index') as typeof import('../../ts/index'); // README: require('derrick')
  // (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
  const bytes = Buffer.from('AGFzbQEAAAABBwFgAn9/AX8DAgEABwcBA2FkZAAACgkBBwAgACABags=', 'base64');
  const { instance } = await WebAssembly.instantiate(bytes) as { instance: { exports: { add(a: number, b: number): number } } };
  t.is(instance.exports.add(2, 3), 5);
});
