#!/usr/bin/env node
// ONNX Runtime (CPU execution provider) side of bench/run.sh: times one model at one batch size and
// thread count the way `flipscope profile` does and prints one JSON object on stdout.
//
// usage: node bench/ort_bench.js MODEL [--batch B] [--threads T] [--warmup W] [--repeat R] [--seed S]
// Session: intraOpNumThreads = T, interOpNumThreads = 1, executionMode 'sequential',
// graphOptimizationLevel 'all'. Inputs: every symbolic dimension bound to B, float inputs uniform in
// [-1, 1) (integer inputs 0), like flipscope's random_inputs(). Median and p90 use the same linear
// interpolation between order statistics as flipscope (numpy's default percentile).
'use strict';

const path = require('path');

function fail(msg) {
  process.stderr.write(`ort_bench.js: ${msg}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const a = {model: null, batch: 1, threads: 1, warmup: 3, repeat: 20, seed: 1};
  for (let i = 0; i < argv.length; ++i) {
    const k = argv[i];
    const numeric = {'--batch': 'batch', '--threads': 'threads', '--warmup': 'warmup', '--repeat': 'repeat', '--seed': 'seed'};
    if (k in numeric) {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) fail(`${k} expects a non-negative integer, got '${argv[i]}'`);
      a[numeric[k]] = v;
    } else if (k === '-h' || k === '--help') {
      process.stdout.write('usage: node bench/ort_bench.js MODEL [--batch B] [--threads T] [--warmup W] [--repeat R] [--seed S]\n');
      process.exit(0);
    } else if (k.startsWith('-')) {
      fail(`unknown option '${k}'`);
    } else if (a.model === null) {
      a.model = k;
    } else {
      fail(`unexpected argument '${k}'`);
    }
  }
  if (a.model === null) fail('a MODEL is required');
  if (a.batch < 1 || a.threads < 1 || a.repeat < 1) fail('--batch, --threads and --repeat must be at least 1');
  return a;
}

function percentile(values, p) {
  if (values.length === 0) return 0;
  const v = [...values].sort((x, y) => x - y);
  const pos = (p / 100) * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, v.length - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

// Small deterministic generator (mulberry32): inputs are reproducible without extra packages.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPED = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  bool: Uint8Array,
};

function makeInput(ort, meta, batch, next) {
  if (!meta.isTensor) fail(`input '${meta.name}' is not a tensor`);
  const dims = meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : batch));
  const n = dims.reduce((x, y) => x * y, 1);
  const Ctor = TYPED[meta.type];
  if (!Ctor) fail(`input '${meta.name}' has type ${meta.type}, which this benchmark does not generate`);
  const data = new Ctor(n);
  if (meta.type === 'float32' || meta.type === 'float64') for (let i = 0; i < n; ++i) data[i] = next() * 2 - 1;
  return new ort.Tensor(meta.type, data, dims);
}

async function main(a) {
  let ort;
  try {
    ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));
  } catch (e) {
    fail(`cannot load onnxruntime-node from bench/node_modules (${e.message.split('\n')[0]}); ` +
         'install it with: (cd bench && npm install --ignore-scripts)');
  }
  const session = await ort.InferenceSession.create(a.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: a.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const next = rng(a.seed);
  const feeds = {};
  for (const meta of session.inputMetadata) feeds[meta.name] = makeInput(ort, meta, a.batch, next);
  for (let i = 0; i < a.warmup; ++i) await session.run(feeds);
  const runMs = [];
  for (let i = 0; i < a.repeat; ++i) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    runMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await session.release();
  const result = {
    runtime: 'onnxruntime-node',
    version: ort.env.versions ? ort.env.versions.node : null,
    execution_provider: 'cpu',
    model: a.model,
    batch: a.batch,
    threads: a.threads,
    warmup: a.warmup,
    repeat: a.repeat,
    input_shapes: Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.dims])),
    median_ms: percentile(runMs, 50),
    p90_ms: percentile(runMs, 90),
    min_ms: Math.min(...runMs),
    run_ms: runMs,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

const args = parseArgs(process.argv.slice(2));
main(args).catch((e) => fail(`${args.model}: ${e && e.message ? e.message.split('\n')[0] : e}`));
