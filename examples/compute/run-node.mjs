// Runs compute.wasm under Node.js (V8) with stub imports and prints one JSON
// line: {"rounds":R,"calls":C,"checksum":"<signed i64>","ms_per_call":T,"cpu_ms_per_call":U}
// (T wall-clock time, U the process's user + system CPU time, per timed call).
// The reference engine for the runtime's checksum and speed.
//   node run-node.mjs <compute.wasm> <rounds> [calls]
// Calls after the first are timed; the first one warms V8's tiers.
import { readFileSync } from 'node:fs';

const [wasmPath, roundsArg, callsArg = '1'] = process.argv.slice(2);
if (!wasmPath || roundsArg === undefined) {
  console.error('usage: node run-node.mjs <compute.wasm> <rounds> [calls]');
  process.exit(2);
}
const rounds = Number.parseInt(roundsArg, 10);
const calls = Number.parseInt(callsArg, 10);
if (!Number.isInteger(rounds) || rounds < 0 || !Number.isInteger(calls) || calls < 1) {
  console.error(`rounds must be an integer >= 0 and calls >= 1, got ${roundsArg} ${callsArg}`);
  process.exit(2);
}

const module = new WebAssembly.Module(readFileSync(wasmPath));
// Every import the module declares gets a function that does nothing and
// returns 0: compute() calls none of them, graft_tick only reports a metric.
const imports = {};
for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
  if (kind !== 'function') {
    console.error(`unexpected ${kind} import ${from}.${name}`);
    process.exit(2);
  }
  (imports[from] ??= {})[name] = () => 0;
}
const { exports } = new WebAssembly.Instance(module, imports);
exports._initialize?.();
if (typeof exports.compute !== 'function') {
  console.error(`${wasmPath} exports no function 'compute'`);
  process.exit(2);
}

let checksum = exports.compute(rounds);
let msPerCall = null;
let cpuMsPerCall = null;
if (calls > 1) {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let i = 1; i < calls; i++) {
    const again = exports.compute(rounds);
    if (again !== checksum) {
      console.error(`checksum changed between calls: ${checksum} then ${again}`);
      process.exit(1);
    }
  }
  msPerCall = Number(process.hrtime.bigint() - start) / 1e6 / (calls - 1);
  const cpu = process.cpuUsage(cpuStart);
  cpuMsPerCall = (cpu.user + cpu.system) / 1e3 / (calls - 1);
}
console.log(JSON.stringify({
  rounds, calls, checksum: checksum.toString(), ms_per_call: msPerCall, cpu_ms_per_call: cpuMsPerCall,
}));
