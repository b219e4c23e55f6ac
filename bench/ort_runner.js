// bench/ort_runner.js - the onnxruntime contender of bench/run.
//
// A long-lived process speaking the line protocol of bench/harness/worker.py:
// one JSON command per line on stdin, one JSON answer per line on stdout.
//
//   {"cmd": "load", "model": M.onnx, "inputs": {name: file.npy}}
//   {"cmd": "run"}              -> {"ok": true, "ms": wall time of session.run}
//   {"cmd": "save", "dir": D}   -> the last run's outputs as D/<name>.npy
//   {"cmd": "unload"}, {"cmd": "quit"}
//
// Usage: node bench/ort_runner.js THREADS   (intraOpNumThreads; one inter-op
// thread, sequential execution). onnxruntime-node is looked up in
// bench/.peers (where bench/run installs it) or in NODE_PATH.
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');

function loadOrt() {
  const local = path.join(__dirname, '.peers', 'node_modules', 'onnxruntime-node');
  return require(fs.existsSync(local) ? local : 'onnxruntime-node');
}
const ort = loadOrt();

// .npy (format 1.x/2.x, little-endian, C order) <-> onnxruntime tensors.
const NPY_TYPES = {
  '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array],
  '<i4': ['int32', Int32Array], '<i8': ['int64', BigInt64Array],
  '|u1': ['uint8', Uint8Array], '|i1': ['int8', Int8Array], '|b1': ['bool', Uint8Array],
};

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(file + ': not a .npy file');
  const major = buf[6];
  const start = major === 1 ? 10 : 12;
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(file + ': Fortran order');
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1]
      .split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const type = NPY_TYPES[descr];
  if (!type) throw new Error(file + ': unsupported dtype ' + descr);
  const begin = start + headerLen;
  // Copy into a fresh, aligned ArrayBuffer.
  const bytes = buf.buffer.slice(buf.byteOffset + begin, buf.byteOffset + buf.length);
  return new ort.Tensor(type[0], new type[1](bytes), shape);  // bool: one byte each
}

function writeNpy(file, tensor) {
  const descr = Object.keys(NPY_TYPES).find((k) => NPY_TYPES[k][0] === tensor.type);
  if (!descr) throw new Error('cannot save a ' + tensor.type + ' tensor');
  const dims = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  // Pad so that the data starts on a 64-byte boundary; the header ends in \n.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const data = tensor.data;  // a typed array (bool: Uint8Array)
  fs.writeFileSync(file, Buffer.concat([
    pre, Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

async function main() {
  const threads = Number(process.argv[2] || 1);
  let session = null; let feeds = null; let outputs = null;
  const reply = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
  const rl = readline.createInterface({input: process.stdin, terminal: false});
  for await (const line of rl) {
    if (!line.trim()) continue;
    const cmd = JSON.parse(line);
    try {
      if (cmd.cmd === 'load') {
        if (session) await session.release();
        session = null; outputs = null;
        feeds = {};
        for (const [name, file] of Object.entries(cmd.inputs)) feeds[name] = readNpy(file);
        session = await ort.InferenceSession.create(cmd.model, {
          intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
          graphOptimizationLevel: 'all',
          // No spinning between runs: contenders are interleaved.
          extra: {session: {intra_op: {allow_spinning: '0'}, inter_op: {allow_spinning: '0'}}},
        });
        reply({ok: true});
      } else if (cmd.cmd === 'run') {
        outputs = null;
        const t0 = process.hrtime.bigint();
        outputs = await session.run(feeds);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        reply({ok: true, ms});
      } else if (cmd.cmd === 'save') {
        fs.mkdirSync(cmd.dir, {recursive: true});
        const files = {};
        for (const [name, t] of Object.entries(outputs)) {
          files[name] = path.join(cmd.dir, name + '.npy');
          writeNpy(files[name], t);
        }
        reply({ok: true, outputs: files});
      } else if (cmd.cmd === 'unload') {
        if (session) await session.release();
        session = null; feeds = null; outputs = null;
        reply({ok: true});
      } else if (cmd.cmd === 'quit') {
        break;
      } else {
        reply({ok: false, error: 'unknown command ' + cmd.cmd});
      }
    } catch (e) {
      reply({ok: false, error: String(e && e.message ? e.message : e).split('\n')[0]});
    }
  }
  process.exit(0);
}

main();
