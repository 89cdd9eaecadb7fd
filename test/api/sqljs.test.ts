/**
 * A drop-in check with a real program: sql.js (SQLite compiled by Emscripten, from
 * npm) runs on derrick's WebAssembly namespace, swapped in for the global one, and its
 * query results equal those of the same package on Node's own engine.
 */
import test from 'ava';
import { WebAssembly as D } from '../../ts/api';
import { liveInstanceCount } from '../../ts/runtime/instance';

/* eslint-disable @typescript-eslint/no-explicit-any */
async function queries(W: unknown): Promise<unknown[]> {
  const saved = (globalThis as any).WebAssembly;
  (globalThis as any).WebAssembly = W;
  try {
    for (const k of Object.keys(require.cache)) if (k.includes('/sql.js/')) delete require.cache[k];
    const initSqlJs = require('sql.js');
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    const out: unknown[] = [W === D ? liveInstanceCount() > 0 : true];
    db.run('CREATE TABLE t (a INTEGER, b TEXT, c REAL)');
    for (let i = 0; i < 500; i++) db.run('INSERT INTO t VALUES (?, ?, ?)', [i * 7919 % 1000, `v${i}`, i / 7]);
    out.push(db.exec('SELECT count(*), sum(a), printf("%.9f", sum(c)), max(b) FROM t'));
    out.push(db.exec('SELECT a % 10 AS k, count(*), avg(c) FROM t GROUP BY k ORDER BY k'));
    out.push(db.exec("SELECT upper(b) || '!' , length(b), abs(-a), round(c, 3) FROM t WHERE a BETWEEN 100 AND 140 ORDER BY a DESC"));
    out.push(db.exec('SELECT 9223372036854775807 + 0, -9223372036854775808 / -1.0, 1e308 * 10, 0.1 + 0.2'));
    try {
      db.exec('SELECT * FROM missing');
    } catch (e) {
      out.push(`error: ${(e as Error).message}`);
    }
    db.close();
    return out;
  } finally {
    (globalThis as any).WebAssembly = saved;
  }
}

test('sql.js gives the same results on derrick as on Node\'s engine', async (t) => {
  const ours = await queries(D);
  const theirs = await queries((globalThis as any).WebAssembly);
  t.deepEqual(ours, theirs);
  t.is(ours[0], true, "derrick instantiated the module");
  t.is((theirs[1] as any)[0].values[0][0], 500);
});
