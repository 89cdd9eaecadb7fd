import test from 'ava';
import * as derrick from '../ts/index';

test('package entry exports a version', (t) => {
  t.is(derrick.version, '0.1.0');
});
