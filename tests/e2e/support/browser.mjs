// What the end-to-end tests share: where the server and the test photos are, a fake camera made from a
// photo with ffmpeg, Debian's Chromium driven by playwright-core, console-error collection and screenshots.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BASE_URL = process.env.FACEID_E2E_URL || '';
export const DATA_DIR = path.resolve(REPO, process.env.FACEID_TEST_DATA || '../shared/data');
export const SHOTS_DIR = path.join(REPO, 'build/e2e');
export const CHROMIUM = process.env.FACEID_CHROMIUM || '/usr/bin/chromium';

export function dataFile(relative) {
  return path.join(DATA_DIR, relative);
}

// Why the suite cannot run here, or '' when it can (the test runner reports the reason as a skip).
export function skipReason(photos) {
  if (!BASE_URL) return 'FACEID_E2E_URL is not set: run the suite through scripts/run-e2e.sh';
  const missing = photos.filter((p) => !fs.existsSync(dataFile(p)));
  if (missing.length) return `test photos missing in ${DATA_DIR}: ${missing.join(', ')}`;
  if (!fs.existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`;
  return '';
}

// A y4m clip of the still photo, letterboxed to 640x480 (faces keep their proportions), for Chromium's
// fake camera.
export function fakeCamera(photo, name) {
  const dir = path.join(SHOTS_DIR, 'camera');
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${name}.y4m`);
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-loop', '1', '-i', photo, '-t', '2', '-vf',
    'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,format=yuv420p',
    '-f', 'yuv4mpegpipe', out]);
  return out;
}

// Launches Chromium with `cameraFile` as the camera. `errors` gathers every console error and uncaught
// page exception, so each test can assert there were none.
export async function openBrowser(cameraFile, viewport = { width: 1280, height: 860 }) {
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faceid-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${cameraFile}`],
  });
  const page = context.pages()[0] || (await context.newPage());
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.setDefaultTimeout(20000);
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      fs.rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page, name, options = {}) {
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0)); // the sticky header then sits at the top of the image
  await page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`), fullPage: true, ...options });
}

// Calls the API directly (from Node, not the page) to cross-check what the page shows.
export async function apiJson(method, route, form) {
  const response = await fetch(new URL(route, BASE_URL), { method, body: form });
  const body = await response.json();
  return { status: response.status, body };
}

// Registers a photo through the API and returns the answer's body (fails the test on any other status).
export async function registerPhoto(file, fields) {
  const { status, body } = await apiJson('POST', '/register', photoForm(file, fields));
  if (status !== 201) throw new Error(`registering ${file} answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

export function photoForm(file, fields = {}) {
  const form = new FormData();
  form.append('photo', new Blob([fs.readFileSync(file)], { type: 'image/jpeg' }), path.basename(file));
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
}
