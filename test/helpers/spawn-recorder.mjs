// Loaded into a CLI subprocess with NODE_OPTIONS="--import <absolute path to this file>".
// Records every attempt to start a process or open a socket, one JSON line per call, to the
// file named by RUNBOOK_SPAWN_LOG. It only observes: each call goes on to the original.
// Main thread only (that is where the CLI and its adapters run).
import { appendFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';

const log = process.env.RUNBOOK_SPAWN_LOG;
if (log) {
  const require = createRequire(import.meta.url);
  const cp = require('node:child_process');
  const net = require('node:net');

  const record = (entry) => {
    try {
      appendFileSync(log, `${JSON.stringify({ pid: process.pid, ...entry })}\n`);
    } catch {
      // never let the recorder change what the program does
    }
  };
  const text = (v) => {
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return v.map(String).join(' ');
    return '';
  };

  for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
    const original = cp[name];
    if (typeof original !== 'function') continue;
    const wrapped = function (command, args, ...rest) {
      record({ kind: 'child_process', fn: name, command: String(command), args: Array.isArray(args) ? args.map(String) : [], line: `${String(command)} ${text(args)}`.trim() });
      return original.call(this, command, args, ...rest);
    };
    // exec and execFile have util.promisify.custom variants; keep them reachable.
    for (const key of Reflect.ownKeys(original)) {
      if (key === 'length' || key === 'name' || key === 'prototype') continue;
      try {
        Object.defineProperty(wrapped, key, Object.getOwnPropertyDescriptor(original, key));
      } catch {
        // non-configurable: leave it
      }
    }
    cp[name] = wrapped;
  }

  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (...args) {
    let target;
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    if (first !== null && typeof first === 'object') target = first.path ?? `${first.host ?? 'localhost'}:${first.port}`;
    else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) target = `${typeof args[1] === 'string' ? args[1] : 'localhost'}:${first}`;
    else target = String(first);
    record({ kind: 'socket', fn: 'connect', target, line: `connect ${target}` });
    return connect.apply(this, args);
  };

  // ESM `import { spawn } from 'node:child_process'` sees the wrapped functions too.
  syncBuiltinESMExports();
  record({ kind: 'recorder', fn: 'loaded', line: 'recorder loaded' });
}
