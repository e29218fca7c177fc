// A real `faceid serve` for the Node suites that need API keys (the page tests run against the server
// scripts/run-e2e.sh starts, with keys off): the Release binary on a free loopback port, an empty temporary
// data folder, the first admin key it prints, and more keys made with `faceid keys create`. Paths and the
// test photos come from the page tests' support (tests/e2e/support/browser.mjs).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../../e2e/support/browser.mjs';

export const BINARY = process.env.FACEID_BINARY || path.join(REPO, 'build/release/faceid');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Starts the server with keys on; resolves once /readyz answers 200. `args`: more flags for `serve`.
export async function startServer(args = []) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'faceid-compat-'));
  const port = await freePort();
  const log = [];
  const child = spawn(BINARY, ['serve', '--host', '127.0.0.1', '--port', String(port), '--data', data,
    '--models', path.join(REPO, 'models'), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk) => log.push(chunk.toString()));
  child.stderr.on('data', (chunk) => log.push(chunk.toString()));
  let exited = false;
  child.on('exit', () => { exited = true; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; ++i) {
    if (exited) throw new Error(`faceid serve exited at start:\n${log.join('')}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch { /* not listening yet */ }
    if (i > 600) throw new Error(`faceid serve did not become ready in 60 s:\n${log.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // "No API keys yet: created the first admin key kXXXX. It is shown only this once; keep it safe:" and
  // the key on the next line.
  const lines = log.join('').split('\n');
  const at = lines.findIndex((l) => l.includes('first admin key'));
  const admin = at >= 0 ? lines[at + 1].trim() : '';
  if (!admin) throw new Error(`no admin key in the server's output:\n${log.join('')}`);
  return {
    url,
    host: 'http://127.0.0.1',
    port,
    data,
    admin,
    log: () => log.join(''),
    // A new key of this role (the last line `faceid keys create` prints).
    createKey(role, name) {
      const out = execFileSync(BINARY, ['keys', 'create', '--data', data, '--role', role, '--name', name],
        { encoding: 'utf8' });
      return out.trim().split('\n').pop().trim();
    },
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      fs.rmSync(data, { recursive: true, force: true });
    },
  };
}
