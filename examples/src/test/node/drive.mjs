// Drives one instance of a graft/1 module under Node.js (V8) through a script
// of lifecycle calls, playing the host's part with fixed point values, and
// prints what happened as one JSON line. An engine independent of the
// project's runtime, used to check what the example modules do.
//   node drive.mjs <module.wasm> '<steps as JSON>'
// Steps: {"op":"init"} | {"op":"self_test"} | {"op":"save"} |
//        {"op":"load","blob":"<hex>"} |
//        {"op":"tick","now":<ms>,"values":[...],"quality":[...]}
// A tick's result lists the point_set calls it made; a trap ends the script.
import { readFileSync } from 'node:fs';

const [wasmPath, stepsJson] = process.argv.slice(2);
if (!wasmPath || !stepsJson) {
  console.error("usage: node drive.mjs <module.wasm> '<steps as JSON>'");
  process.exit(2);
}
const steps = JSON.parse(stepsJson);

let values = [];
let quality = [];
let sets = [];
const logs = [];
let memory;
const text = (ptr, len) => new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, len));
const host = {
  graft: {
    point_get: (i) => values[i] ?? 0,
    point_quality: (i) => quality[i] ?? 0,
    point_set: (i, v) => {
      sets.push([i, v]);
      return 0;
    },
    log: (level, ptr, len) => logs.push([level, text(ptr, len)]),
    metric: () => {},
  },
};
const module = new WebAssembly.Module(readFileSync(wasmPath));
for (const { module: from, name } of WebAssembly.Module.imports(module)) {
  if (!host[from]?.[name]) {
    console.error(`${wasmPath} imports ${from}.${name}, which this driver does not provide`);
    process.exit(2);
  }
}
const { exports } = new WebAssembly.Instance(module, host);
memory = exports.memory;
exports._initialize?.();

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const results = [];
for (const step of steps) {
  try {
    switch (step.op) {
      case 'init':
        results.push({ rc: exports.graft_init() });
        break;
      case 'self_test':
        results.push({ rc: exports.graft_self_test() });
        break;
      case 'save': {
        const packed = BigInt.asUintN(64, exports.graft_save());
        const ptr = Number(packed >> 32n);
        const len = Number(packed & 0xffffffffn);
        results.push({ blob: hex(new Uint8Array(memory.buffer, ptr, len)) });
        break;
      }
      case 'load': {
        const blob = Buffer.from(step.blob, 'hex');
        const ptr = exports.graft_alloc(blob.length);
        if (ptr === 0) {
          results.push({ alloc: 0 });
          break;
        }
        new Uint8Array(memory.buffer, ptr, blob.length).set(blob);
        results.push({ rc: exports.graft_load(ptr, blob.length) });
        break;
      }
      case 'tick':
        values = step.values ?? [];
        quality = step.quality ?? [];
        sets = [];
        results.push({ rc: exports.graft_tick(BigInt(step.now)), sets });
        break;
      default:
        console.error(`unknown step ${JSON.stringify(step)}`);
        process.exit(2);
    }
  } catch (e) {
    results.push({ trap: String(e) });
    break;
  }
}
console.log(JSON.stringify({ results, logs }));
