// End-to-end tests of the page with API keys on, in Debian's Chromium against a real `faceid serve` of its
// own with keys on (the shared one of scripts/run-e2e.sh runs with keys off): an admin key sees every screen; an
// operator key does not see the Admin and Duplicates links, and the administration screen, opened by its
// address anyway, refuses it in plain words ("needs an admin key"; the server answers 403); a searcher key sees Search only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO, skipReason, fakeCamera, openBrowser, screenshot, dataFile } from './support/browser.mjs';

const BIN = path.join(REPO, 'build/release/faceid');
const PHOTOS = { camera: 'photos-multi/p01/img11.jpg' };
const skip = skipReason(Object.values(PHOTOS)) || (fs.existsSync(BIN) ? '' : `${BIN} is missing: build first`);
const when = skip ? { skip } : {};

let server;
let dataDir;
let url;
const keys = {};

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function call(method, route, key, body) {
  const headers = { Authorization: `Bearer ${key}` };
  if (body) headers['Content-Type'] = 'application/json';
  const response = await fetch(new URL(route, url), { method, headers, body: body ? JSON.stringify(body) : undefined });
  return { status: response.status, body: await response.json() };
}

before(async () => {
  if (skip) return;
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faceid-e2e-roles-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // Keys on (the default). The first start creates the first admin key and prints it once, on the line
  // after "keep it safe:".
  server = spawn(BIN, ['serve', '--host', '127.0.0.1', '--port', String(port), '--data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = fs.createWriteStream(path.join(REPO, 'build/e2e/server-roles.log'));
  let output = '';
  server.stdout.on('data', (chunk) => { output += chunk; log.write(chunk); });
  server.stderr.on('data', (chunk) => log.write(chunk));
  for (let i = 0; i < 300; i++) {
    keys.admin = keys.admin || output.match(/keep it safe:\s*\n(\S+)/)?.[1];
    let ready = false;
    try {
      ready = (await fetch(`${url}/readyz`)).status === 200;
    } catch (_) { /* not listening yet */ }
    if (keys.admin && ready) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(keys.admin, `the first start printed no admin key: ${output}`);
  for (const role of ['operator', 'searcher']) {
    const made = await call('POST', '/keys', keys.admin, { role, name: `e2e ${role}` });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    keys[role] = made.body.key;
  }
});

after(async () => {
  // The folder goes once the server has exited: a server still shutting down writes into it (ENOTEMPTY).
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

// A browser whose page holds `key` (the key dialog keeps it in sessionStorage) before the first request.
async function browserWith(key) {
  const browser = await openBrowser(fakeCamera(dataFile(PHOTOS.camera), 'roles'));
  await browser.context.addInitScript((k) => sessionStorage.setItem('faceid.apiKey', k), key);
  return browser;
}

async function visibleLinks(page) {
  await page.waitForFunction(() => document.body.dataset.role !== undefined);
  return page.$$eval('nav a[data-view]', (links) => links.filter((a) => !a.hidden && a.offsetParent !== null).map((a) => a.dataset.view));
}

test('an admin key sees every screen, the administration screen included', when, async () => {
  const browser = await browserWith(keys.admin);
  try {
    const { page } = browser;
    await page.goto(`${url}/#/admin`);
    assert.deepEqual(await visibleLinks(page), ['search', 'register', 'gallery', 'duplicates', 'import', 'admin']);
    await page.waitForSelector('#key-list tr:has-text("e2e operator")');
    await screenshot(page, '39-roles-admin');
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test('an operator key: the admin links are hidden and the administration screen refuses it', when, async () => {
  const browser = await browserWith(keys.operator);
  try {
    const { page } = browser;
    await page.goto(`${url}/#/search`);
    assert.deepEqual(await visibleLinks(page), ['search', 'register', 'gallery', 'import']);
    await screenshot(page, '40-roles-operator-links');
    // By its address anyway: the server refuses the keys and the audit log (403), said in plain words.
    await page.goto(`${url}/#/admin`);
    const problem = await page.waitForSelector('#key-new .alert.error');
    assert.match(await problem.textContent(), /Could not load the keys.*needs an admin key/s);
    await page.waitForSelector('#admin-audit .alert.error');
    assert.match(await page.textContent("#admin-audit"), /needs an admin key/);
    assert.equal(await page.$$eval('#key-list tbody tr', (rows) => rows.length), 0, 'no key is listed');
    await screenshot(page, '41-roles-operator-admin-refused');
    // The only console lines are the browser's own notes of those 403 answers.
    assert.deepEqual(browser.errors.filter((e) => !/status of 403/.test(e)), []);
  } finally {
    await browser.close();
  }
});

test('a searcher key sees Search only', when, async () => {
  const browser = await browserWith(keys.searcher);
  try {
    const { page } = browser;
    await page.goto(`${url}/#/search`);
    assert.deepEqual(await visibleLinks(page), ['search']);
    await screenshot(page, '42-roles-searcher');
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});
