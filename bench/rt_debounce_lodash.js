// rt_debounce_lodash.js — lodash's side of bench/rt_debounce.sh: lodash
// 4.17.21's debounce (require('lodash/debounce')) under the machine's Node.js.
//   node rt_debounce_lodash.js MODULE_DIR call|throttle N
//       ns per call in a burst (wall: hrtime; CPU: process.cpuUsage, the
//       whole process — the JIT and GC threads included)
//   node rt_debounce_lodash.js MODULE_DIR accuracy TRIALS WAIT_MS
//       lateness of the trailing edge (setTimeout, Date.now) in µs
//   node rt_debounce_lodash.js MODULE_DIR timelines SEED COUNT
//       COUNT random timelines of calls, flushes and cancels replayed on a
//       fake clock (Date.now and setTimeout replaced: before each operation
//       at time t, every timer due at or before t runs), one line each:
//       "wait maxWait leading trailing | c0 c3 f5 x9 ... | 37:4 ..." —
//       options (maxWait -1: none), operations (c call, f flush, x cancel,
//       then the ms), and func's runs as ms:index of the call whose argument
//       it got. rt_debounce_replay.c replays them through pk_debounce.
// Prints "RESULT lodash <what> <value>" lines (timelines: the lines above).
'use strict';
const path = require('path');
const modDir = path.join(process.argv[2], 'node_modules', 'lodash');
const mode = process.argv[3];
const now = () => process.hrtime.bigint();

if (mode === 'timelines') {
  // fake clock and timers, installed before lodash reads them
  let clock = 0, seq = 0;
  let timers = [];
  Date.now = () => clock;
  global.setTimeout = (fn, ms) => { const t = { at: clock + ms, seq: seq++, fn }; timers.push(t); return t; };
  global.clearTimeout = (t) => { timers = timers.filter((x) => x !== t); };
  const debounce = require(path.join(modDir, 'debounce'));
  const runDue = (t) => {
    for (;;) {
      let due = null;
      for (const x of timers) if (x.at <= t && (!due || x.at < due.at || (x.at === due.at && x.seq < due.seq))) due = x;
      if (!due) return;
      timers = timers.filter((x) => x !== due);
      clock = due.at;
      due.fn();
    }
  };
  let seed = +process.argv[4] >>> 0;
  const rnd = (n) => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed % n; };
  const count = +process.argv[5];
  for (let k = 0; k < count; k++) {
    clock = 0; timers = [];
    const wait = [0, 1, 5, 10, 32, 100][rnd(6)];
    const mw = [-1, -1, 0, Math.floor(wait / 2), wait, 2 * wait, 3 * wait + 1][rnd(7)];
    const leading = rnd(2) === 1, trailing = rnd(3) !== 0;
    const opts = { leading, trailing };
    if (mw >= 0) opts.maxWait = mw;
    const fires = [];
    const d = debounce((i) => { fires.push(clock + ':' + i); }, wait, opts);
    const nops = 1 + rnd(40);
    const ops = [];
    let t = 0;
    for (let i = 0; i < nops; i++) {
      const g = [0, 0, 1, 2, Math.max(0, wait - 1), wait, wait + 1, rnd(3 * wait + 2)][rnd(8)];
      t += g;
      const r = rnd(20);
      const op = r === 0 ? 'f' : r === 1 ? 'x' : 'c';
      runDue(t);
      clock = t;
      if (op === 'c') d(i); else if (op === 'f') d.flush(); else d.cancel();
      ops.push(op + t);
    }
    runDue(t + 4 * wait + 2 * Math.max(mw, 0) + 10);
    console.log(`${wait} ${mw} ${leading ? 1 : 0} ${trailing ? 1 : 0} | ${ops.join(' ')} | ${fires.join(' ')}`);
  }
} else if (mode === 'accuracy') {
  const debounce = require(path.join(modDir, 'debounce'));
  const trials = +process.argv[4], wait = +process.argv[5];
  let t = 0, tCall = 0n;
  const d = debounce(() => {
    const late = Number(now() - (tCall + BigInt(wait) * 1000000n)) / 1e3;
    console.log(`RESULT lodash late_us ${late.toFixed(1)}`);
    if (++t < trials) setImmediate(one);
  }, wait);
  let skipped = 0;
  const one = () => {
    tCall = now();
    d(null);
    if (now() - tCall > 1000000n && skipped++ < trials) {  // preempted in the call: redo
      console.log('RESULT lodash preempted_trial 1');
      d.cancel();
      setImmediate(one);
    }
  };
  one();
} else {
  const debounce = require(path.join(modDir, 'debounce'));
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
