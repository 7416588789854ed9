// rt_debounce_lodash.js — lodash.debounce's side of bench/rt_debounce.sh,
// the same operations as rt_debounce_bench.c, under the machine's Node.js.
//   node rt_debounce_lodash.js MODULE_DIR call|throttle N
//   node rt_debounce_lodash.js MODULE_DIR accuracy TRIALS WAIT_MS
// Prints "RESULT lodash <what> <value>" lines (CPU time: process.cpuUsage,
// the whole process — the JIT and GC threads included).
'use strict';
const path = require('path');
const debounce = require(path.join(process.argv[2], 'node_modules', 'lodash.debounce'));
const mode = process.argv[3];
const now = () => process.hrtime.bigint();

if (mode === 'accuracy') {
  const trials = +process.argv[4], wait = +process.argv[5];
  let t = 0, tCall = 0n;
  const d = debounce(() => {
    const late = Number(now() - (tCall + BigInt(wait) * 1000000n)) / 1e3;
    console.log(`RESULT lodash late_us ${late.toFixed(1)}`);
    if (++t < trials) setImmediate(one);
  }, wait);
  const one = () => { tCall = now(); d(null); };
  one();
} else {
  const n = +process.argv[4];
  let fired = 0;
  const d = mode === 'throttle'
    ? debounce(() => { fired++; }, 1, { leading: true, maxWait: 1, trailing: true })
    : debounce(() => { fired++; }, 1000);
  for (let i = 0; i < n / 10; i++) d(i);
  const c0 = process.cpuUsage(), t0 = now();
  for (let i = 0; i < n; i++) d(i);
  const t1 = now(), c1 = process.cpuUsage(c0);
  d.cancel();
  console.log(`RESULT lodash ${mode}_ns ${(Number(t1 - t0) / n).toFixed(2)}`);
  console.log(`RESULT lodash ${mode}_cpu_ns ${((c1.user + c1.system) * 1000 / n).toFixed(2)}`);
}
