// End-to-end tests of looking after the gallery from the page (issue 13), in Debian's Chromium against
// the real `faceid serve` (scripts/run-e2e.sh; runs after web-page.test.mjs, whose people it does not
// touch): add a photo from the person view with the camera and find the person with it, edit, pin the
// primary, merge two people, move a wrongly added face out from a wrong search match, review duplicate
// pairs, import a folder with progress and refusals, import people from a CSV file, create and revoke an
// API key, and file-specific advice for a refused upload. Every screen is photographed into build/e2e/.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  BASE_URL, SHOTS_DIR, dataFile, skipReason, fakeCamera, openBrowser, screenshot, apiJson, photoForm, registerPhoto,
} from './support/browser.mjs';

const PHOTOS = {
  dana: 'photos-multi/p04/img13.jpg',
  danaCamera: 'photos-multi/p04/img14.jpg',
  eveA: 'photos-multi/p05/img16.jpg',
  eveB: 'photos-multi/p05/img17.jpg',
  eveProbe: 'photos-multi/p05/img59.jpg',
  finn: 'photos-multi/p10/img26.jpg',
  wrongFace: 'photos-multi/p11/img29.jpg',
  wrongProbe: 'photos-multi/p11/img30.jpg',
  hana: 'photos-multi/p06/img18.jpg',
  ivy: 'photos-multi/p12',
  folder: 'photos-multi',
  // The CSV import uses LFW photos: every photos-multi person is in the gallery by then (folder import).
  csvA1: 'lfw/Tony_Blair/Tony_Blair_0002.jpg',
  csvA2: 'lfw/Tony_Blair/Tony_Blair_0003.jpg',
  csvB1: 'lfw/Serena_Williams/Serena_Williams_0001.jpg',
  csvB2: 'lfw/Serena_Williams/Serena_Williams_0002.jpg',
};
const skip = skipReason(Object.values(PHOTOS));
const when = skip ? { skip } : {};
const tag = Date.now().toString(36).slice(-4);

let browser;

before(async () => {
  if (skip) return;
  browser = await openBrowser(fakeCamera(dataFile(PHOTOS.danaCamera), 'person-add'));
});

after(async () => {
  await browser?.close();
});

// A test that failed half-way may leave a modal dialog open, which would block every later click: close it,
// so that each test reports its own failure.
beforeEach(async () => {
  if (!browser) return;
  await browser.page.evaluate(() => document.querySelectorAll('dialog[open]').forEach((d) => d.close()));
  browser.errors.length = 0;
});

function assertNoConsoleErrors() {
  assert.deepEqual(browser.errors, [], 'the page logged errors');
}

async function toastText(page, pattern) {
  await page.waitForFunction((source) => new RegExp(source).test(document.getElementById('toast')?.textContent || ''), pattern.source);
  return page.textContent('#toast');
}

// Uploads a photo on the search page and returns the first result card's class and name.
async function searchUpload(page, file) {
  await page.goto(`${BASE_URL}/#/search`);
  // The view keeps its last answer: clear it first, so that the wait below sees the new one.
  if (await page.isVisible('#search-retake')) await page.click('#search-retake');
  await page.click('#search-tab-upload');
  await page.waitForSelector('#search-results .result', { state: 'detached' });
  await page.setInputFiles('#search-file', file);
  await page.waitForSelector('#search-results .result');
  const card = await page.$('#search-results .result');
  return { className: await card.getAttribute('class'), name: (await card.$eval('h3', (e) => e.textContent)).trim() };
}

const dana = {};

test('add a photo to a person from the person view (camera) and find them with it', when, async () => {
  const { page } = browser;
  const first = await registerPhoto(dataFile(PHOTOS.dana), { name: `Dana ${tag}` });
  dana.id = first.person.id;
  await page.goto(`${BASE_URL}/#/person/${dana.id}`);
  await page.waitForSelector('#person-name');
  assert.equal(await page.$$eval('#person-faces .template', (l) => l.length), 1);
  // Thumbnails are the stored face crops.
  assert.equal(await page.$eval('#person-faces .template img.crop', (img) => img.alt), `Photo 1 of Dana ${tag}`);
  await page.click('#person-add-photo');
  await page.waitForSelector('#person-capture:not([disabled])');
  await page.waitForFunction(() => {
    const canvas = document.querySelector('#person-camera canvas.overlay');
    if (!canvas || !canvas.width) return false;
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    for (let i = 3; i < data.length; i += 4) if (data[i]) return true;
    return false;
  });
  await screenshot(page, '20-person-add-photo-camera');
  await page.click('#person-capture');
  await page.waitForSelector('#person-add-submit:not([disabled])');
  await page.click('#person-add-submit');
  assert.match(await toastText(page, /was added to/), new RegExp(`The photo was added to Dana ${tag}`));
  await page.waitForFunction(() => document.querySelectorAll('#person-faces .template').length === 2);
  await page.waitForFunction(() => [...document.querySelectorAll('#person-faces img.crop')].every((i) => i.naturalWidth > 0));
  await screenshot(page, '21-person-two-photos');

  const found = await searchUpload(page, dataFile(PHOTOS.danaCamera));
  assert.equal(found.className, 'card result match');
  assert.equal(found.name, `Dana ${tag}`);
  // The decision the search used is shown in words.
  assert.match(await page.textContent('#search-decision'), /a match needs similarity ≥ 0\.\d\d, for a gallery of \d+ photos/);
  await screenshot(page, '22-search-finds-added-photo');
  assertNoConsoleErrors();
});

test('a photo on its side (no orientation tag) is turned by the server and still finds the person', when, async () => {
  assert.ok(dana.id, 'the add-photo test ran first');
  const { page } = browser;
  const turned = path.join(SHOTS_DIR, 'camera', 'dana-on-its-side.jpg');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', dataFile(PHOTOS.danaCamera), '-vf', 'transpose=2', '-frames:v', '1', turned]);
  const found = await searchUpload(page, turned);
  assert.equal(found.name, `Dana ${tag}`);
  // ffmpeg's transpose=2 turned it a quarter anticlockwise: a quarter clockwise sets it upright.
  assert.match(await page.textContent('#search-rotation'), /turned 90° to find the faces/);
  // The face crop on the card is cut from the photo turned the same way (drawn, not left blank).
  const drawn = await page.$eval('#search-results .query-crop', (c) => c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data[3]);
  assert.equal(drawn, 255, 'the face crop is drawn');
  await screenshot(page, '22b-search-photo-on-its-side');
  assertNoConsoleErrors();
});

test('edit the name, external id and details, and pin the primary photo', when, async () => {
  assert.ok(dana.id, 'the add-photo test ran first');
  const { page } = browser;
  await page.goto(`${BASE_URL}/#/person/${dana.id}`);
  await page.waitForSelector('#person-name');
  await page.click('#person-edit');
  await page.fill('#person-edit-name', `Dana Scully ${tag}`);
  await page.fill('#person-edit-external-id', `FBI-${tag}`);
  await page.fill('#person-edit-meta .meta-key', 'Unit');
  await page.fill('#person-edit-meta .meta-value', 'X-Files');
  await screenshot(page, '23-person-edit');
  await page.click('#person-save');
  await page.waitForFunction((name) => document.getElementById('person-name')?.textContent === name, `Dana Scully ${tag}`);
  assert.match(await page.textContent('#person-facts'), /X-Files/);
  const stored = (await apiJson('GET', `/persons/${dana.id}`)).body;
  assert.equal(stored.name, `Dana Scully ${tag}`);
  assert.equal(stored.external_id, `FBI-${tag}`);
  assert.deepEqual(stored.metadata, { Unit: 'X-Files' });

  // Pin the photo that is not the primary: it stays primary, marked as pinned.
  const other = stored.faces.find((f) => !f.primary);
  await page.click(`.template[data-face-id="${other.id}"] .make-primary`);
  await page.waitForSelector(`.template[data-face-id="${other.id}"] .primary-badge`);
  assert.match(await page.textContent(`.template[data-face-id="${other.id}"] .primary-badge`), /pinned/);
  const pinned = (await apiJson('GET', `/persons/${dana.id}`)).body;
  assert.equal(pinned.primary_face_id, other.id);
  assert.equal(pinned.primary_pinned, true);
  await screenshot(page, '24-person-edited-pinned');
  assertNoConsoleErrors();
});

test('merge two people; search finds the merged person with both templates', when, async () => {
  const { page } = browser;
  const a = await registerPhoto(dataFile(PHOTOS.eveA), { name: `Eve A ${tag}` });
  const b = await registerPhoto(dataFile(PHOTOS.eveB), { name: `Eve B ${tag}`, allow_duplicate: 'true' });
  await page.goto(`${BASE_URL}/#/person/${a.person.id}`);
  await page.waitForSelector('#person-name');
  await page.click('#person-merge');
  await page.waitForSelector('#picker-dialog[open]');
  await page.fill('#picker-filter', `Eve B ${tag}`);
  await page.waitForSelector(`#picker-list input[value="${b.person.id}"]`);
  await page.check(`#picker-list input[value="${b.person.id}"]`);
  await screenshot(page, '25-merge-picker');
  await page.click('#picker-ok');
  await page.waitForSelector('#confirm-dialog[open]');
  await screenshot(page, '26-merge-confirm');
  await page.click('#confirm-ok');
  assert.match(await toastText(page, /was merged into/), /1 photo moved/);
  await page.waitForFunction(() => document.querySelectorAll('#person-faces .template').length === 2);
  await screenshot(page, '27-merged-person');

  assert.equal((await apiJson('GET', `/persons/${b.person.id}`)).status, 404, 'the merged-in person is gone');
  const merged = (await apiJson('GET', `/persons/${a.person.id}`)).body;
  assert.equal(merged.faces.length, 2);
  for (const photo of [PHOTOS.eveB, PHOTOS.eveProbe]) {
    const found = await searchUpload(page, dataFile(photo));
    assert.equal(found.name, `Eve A ${tag}`, `search with ${photo} finds the merged person`);
  }
  // The photo that was Eve B's is now one of Eve A's templates.
  const { body } = await apiJson('POST', '/search', photoForm(dataFile(PHOTOS.eveB)));
  assert.ok(merged.faces.some((f) => f.id === body.results[0].match.face_id), 'matched through a merged template');
  assertNoConsoleErrors();
});

test('a wrong search match: one click to the fix moves the face out, and search no longer returns the person', when, async () => {
  const { page } = browser;
  const finn = await registerPhoto(dataFile(PHOTOS.finn), { name: `Finn ${tag}` });
  // The mistake: someone else's photo added to Finn (an admin forced it past the match check).
  const wrong = await registerPhoto(dataFile(PHOTOS.wrongFace), { person_id: finn.person.id, allow_mismatch: 'true' });
  const before = await searchUpload(page, dataFile(PHOTOS.wrongProbe));
  assert.equal(before.name, `Finn ${tag}`, 'the wrong face makes Finn the match');
  await screenshot(page, '28-search-wrong-match');
  await page.click('#search-results .fix-match');
  await page.waitForSelector('#picker-dialog[open]');
  assert.ok(await page.$(`.template.highlight[data-face-id="${wrong.face.id}"]`), 'the matched face is marked');
  await page.fill('#picker-new-name', `Gus ${tag}`);
  await screenshot(page, '29-fix-move-dialog');
  await page.click('#picker-ok');
  assert.match(await toastText(page, /was moved to/), new RegExp(`Gus ${tag}`));
  await page.waitForFunction(() => document.querySelectorAll('#person-faces .template').length === 1);
  await screenshot(page, '30-after-move');

  const after = await searchUpload(page, dataFile(PHOTOS.wrongProbe));
  assert.equal(after.name, `Gus ${tag}`, 'the face now finds the person it shows');
  // Finn keeps only his own face; a search with the other person's photo no longer reaches him through
  // the moved one (he may still be a distant candidate through his own face, never the match).
  const finnNow = (await apiJson('GET', `/persons/${finn.person.id}`)).body;
  assert.deepEqual(finnNow.faces.map((f) => f.id), [finn.face.id]);
  const { body } = await apiJson('POST', '/search', photoForm(dataFile(PHOTOS.wrongProbe)));
  const reached = [body.results[0].match, ...body.results[0].candidates].filter((m) => m && m.person.id === finn.person.id);
  assert.ok(reached.every((m) => m.face_id === finn.face.id), 'Finn is reached only through his own face');
  await screenshot(page, '31-search-after-fix');
  assertNoConsoleErrors();
});

test('review duplicate pairs: keep one pair apart, merge another', when, async () => {
  const { page } = browser;
  const h1 = await registerPhoto(dataFile(PHOTOS.hana), { name: `Hana ${tag}` });
  const h2 = await registerPhoto(dataFile(PHOTOS.hana), { name: `Hana copy ${tag}`, allow_duplicate: 'true' });
  const ivyPhoto = path.join(dataFile(PHOTOS.ivy), fs.readdirSync(dataFile(PHOTOS.ivy)).sort()[0]);
  const i1 = await registerPhoto(ivyPhoto, { name: `Ivy ${tag}` });
  const i2 = await registerPhoto(ivyPhoto, { name: `Ivy copy ${tag}`, allow_duplicate: 'true' });
  const pairSelector = (x, y) => {
    const [a, b] = [x, y].sort();
    return `.duplicate-pair[data-a="${a}"][data-b="${b}"]`;
  };
  const hana = pairSelector(h1.person.id, h2.person.id);
  const ivy = pairSelector(i1.person.id, i2.person.id);
  await page.goto(`${BASE_URL}/#/duplicates`);
  await page.waitForSelector(hana);
  await page.waitForSelector(ivy);
  await page.waitForFunction(() => [...document.querySelectorAll('.duplicate-pair img.crop')].every((i) => i.naturalWidth > 0));
  await screenshot(page, '32-duplicates');
  await page.click(`${hana} .keep-apart`);
  await page.waitForSelector(`${hana} .settled`);
  await page.click(`${ivy} .merge-pair`);
  await page.waitForSelector(`${ivy} .settled`);
  await screenshot(page, '33-duplicates-decided');
  await page.click('#duplicates-reload');
  await page.waitForSelector('#duplicate-list li, #duplicates-empty');
  assert.equal(await page.$$eval(hana, (l) => l.length), 0, 'a pair kept apart is not listed again');
  assert.equal(await page.$$eval(ivy, (l) => l.length), 0, 'a merged pair is gone');
  const remaining = [(await apiJson('GET', `/persons/${i1.person.id}`)).status, (await apiJson('GET', `/persons/${i2.person.id}`)).status].sort();
  assert.deepEqual(remaining, [200, 404], 'one Ivy is left');
  assert.equal((await apiJson('GET', `/persons/${h2.person.id}`)).status, 200, 'both Hanas stay');
  assertNoConsoleErrors();
});

test('import a folder with progress and refusals; dropping it again skips what is in', when, async () => {
  const { page } = browser;
  await page.goto(`${BASE_URL}/#/import`);
  await page.setInputFiles('#import-folder', dataFile(PHOTOS.folder));
  const total = fs.readdirSync(dataFile(PHOTOS.folder), { withFileTypes: true }).filter((d) => d.isDirectory())
    .reduce((n, d) => n + fs.readdirSync(path.join(dataFile(PHOTOS.folder), d.name)).filter((f) => /\.(jpe?g|png|webp|bmp)$/i.test(f)).length, 0);
  await page.waitForSelector('#import-summary');
  assert.match(await page.textContent('#import-summary'), new RegExp(`^${total} photos of \\d+ people`));
  await screenshot(page, '34-import-chosen');
  await page.click('#import-start');
  await page.waitForSelector('#import-status');
  await page.waitForFunction(() => /finished/.test(document.getElementById('import-status')?.textContent || ''), null, { timeout: 180000 });
  const status = await page.textContent('#import-status');
  assert.match(status, new RegExp(`^${total} / ${total} done · [0-9.]+ photos/s · finished`));
  const refused = Number(status.match(/(\d+) refused/)[1]);
  assert.ok(refused >= 1, 'people registered by the other tests make some photos possible duplicates');
  assert.equal(await page.$$eval('#import-reject-list .reject', (l) => l.length), refused);
  await page.waitForFunction(() => [...document.querySelectorAll('#import-reject-list img')].every((i) => i.naturalWidth > 0));
  assert.match(await page.textContent('#import-reject-list'), /looks like .* already registered|not good enough|blurry|too small|No face/);
  await screenshot(page, '35-import-done');

  // Again: everything stored is skipped, nothing new is created.
  await page.click('#import-start');
  await page.waitForFunction(() => /^\d+ \/ \d+ done .*finished/.test(document.getElementById('import-status')?.textContent || ''), null, { timeout: 180000 });
  const again = await page.textContent('#import-status');
  // Every photo stored by the first run is skipped and no person is created twice. (A photo refused the
  // first time as looking like someone else may now join its folder's person, which exists by now: the
  // same as `faceid import` run twice.)
  assert.match(again, /· 0 new people, \d+ photos added/);
  assert.equal(Number(again.match(/(\d+) already in/)[1]), total - refused);
  await screenshot(page, '36-import-again');
  // Browsers report each 4xx answer inside a batch as nothing: the batch itself answers 200.
  assertNoConsoleErrors();
});

test('import people from a CSV file (name, external_id, path, metadata) with a refusal; again skips what is in', when, async () => {
  const { page } = browser;
  // A folder with a CSV at its top and the photos beside it (under build/e2e, never in the repository).
  const dir = path.join(SHOTS_DIR, `csv-import-${tag}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'photos'), { recursive: true });
  for (const [from, to] of [[PHOTOS.csvA1, 'a1.jpg'], [PHOTOS.csvA2, 'a2.jpg'], [PHOTOS.csvB1, 'b1.jpg'], [PHOTOS.csvB2, 'b2.jpg']]) {
    fs.copyFileSync(dataFile(from), path.join(dir, 'photos', to));
  }
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=gray:s=320x240', '-frames:v', '1', path.join(dir, 'photos', 'blank.jpg')]);
  // One row per photo, the person's fields on each: the rows of a batch are registered in parallel, and
  // the row that creates the person (whichever finishes first) sets its fields.
  const csv = [
    'name,external_id,path,metadata',
    `Tony ${tag},csv-a-${tag},photos/a1.jpg,"{""team"":""e2e"",""desk"":3}"`,
    `Tony ${tag},csv-a-${tag},photos/a2.jpg,"{""team"":""e2e"",""desk"":3}"`,
    `Serena ${tag},csv-b-${tag},photos/b1.jpg,"{""team"":""e2e""}"`,
    `Serena ${tag},csv-b-${tag},photos/b2.jpg,"{""team"":""e2e""}"`,
    `Nobody ${tag},csv-c-${tag},photos/blank.jpg,`,
  ].join('\n') + '\n';
  fs.writeFileSync(path.join(dir, 'people.csv'), csv);

  await page.goto(`${BASE_URL}/#/import`);
  await page.setInputFiles('#import-folder', dir);
  await page.waitForSelector('#import-mode', { state: 'visible' });
  // Folder mode first (photos directly in sub-folders would be people): switch to the CSV.
  await page.selectOption('#import-mode', { label: 'the CSV file people.csv' });
  await page.waitForFunction(() => /^5 photos of 3 people/.test(document.getElementById('import-summary')?.textContent || ''));
  await screenshot(page, '36b-import-csv-chosen');
  await page.click('#import-start');
  await page.waitForFunction(() => /finished/.test(document.getElementById('import-status')?.textContent || ''), null, { timeout: 120000 });
  const status = await page.textContent('#import-status');
  assert.match(status, /^5 \/ 5 done · [0-9.]+ photos\/s · finished · 2 new people, 2 photos added, 0 already in, 1 refused/);
  const reject = await page.textContent('#import-reject-list');
  assert.match(reject, /photos\/blank\.jpg/);
  assert.match(reject, /No face was found in this photo/);
  await page.waitForFunction(() => [...document.querySelectorAll('#import-reject-list img')].every((i) => i.naturalWidth > 0));
  await screenshot(page, '36c-import-csv-done');

  // The CSV's fields reached the server: external id and metadata, two photos each.
  const { body } = await apiJson('GET', `/persons?name=${encodeURIComponent(`Tony ${tag}`)}`);
  const tony = (body.persons || body.items || []).find((p) => p.external_id === `csv-a-${tag}`);
  assert.ok(tony, `Tony ${tag} with his external id: ${JSON.stringify(body)}`);
  assert.equal(tony.face_count, 2);
  assert.deepEqual(tony.metadata, { team: 'e2e', desk: 3 });

  // Again: the stored photos are skipped.
  await page.click('#import-start');
  await page.waitForFunction(() => /finished/.test(document.getElementById('import-status')?.textContent || '') &&
    /already in/.test(document.getElementById('import-status')?.textContent || ''), null, { timeout: 120000 });
  assert.match(await page.textContent('#import-status'), /· 0 new people, 0 photos added, 4 already in, 1 refused/);
  await screenshot(page, '36d-import-csv-again');
  assertNoConsoleErrors();
});

test('administration: create a key (shown once), revoke it, see it in the audit log, dry-run the clean-up', when, async () => {
  const { page } = browser;
  await page.goto(`${BASE_URL}/#/admin`);
  await page.waitForSelector('#key-list thead'); // (the tbody is empty, so invisible, with keys off)
  await page.fill('#key-name', `e2e desk ${tag}`);
  await page.selectOption('#key-role', 'operator');
  await page.click('#key-create');
  await page.waitForSelector('#key-secret');
  assert.match(await page.textContent('#key-secret'), /^\S{20,}$/);
  const row = await page.waitForSelector(`#key-list tr:has-text("e2e desk ${tag}")`);
  assert.match(await row.textContent(), /operator.*active/);
  await screenshot(page, '37-admin-key-created');
  const keyId = await row.getAttribute('data-key-id');
  await row.$eval('.revoke-key', (b) => b.click());
  await page.waitForSelector('#confirm-dialog[open]');
  await page.click('#confirm-ok');
  await page.waitForSelector(`#key-list tr[data-key-id="${keyId}"]:has-text("revoked")`);
  const keys = (await apiJson('GET', '/keys')).body.keys;
  assert.ok(keys.find((k) => k.id === keyId).revoked_at, 'the server revoked it');

  await page.fill('#audit-action', 'key.revoke');
  await page.click('#audit-filter');
  await page.waitForSelector(`#audit-list td:has-text("${keyId}")`);
  await page.click('#cleanup-dry-run');
  await page.waitForSelector('#cleanup-report .alert');
  assert.match(await page.textContent('#cleanup-report'), /Dry run: nothing was removed/);
  await screenshot(page, '38-admin');
  assertNoConsoleErrors();
});

test('a refused upload gets advice for a file, not for the camera', when, async () => {
  const { page, errors } = browser;
  errors.length = 0;
  const blank = path.join(SHOTS_DIR, 'camera', 'no-face.jpg');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=gray:s=320x240', '-frames:v', '1', blank]);
  await page.goto(`${BASE_URL}/#/register`);
  await page.click('#register-tab-upload');
  await page.setInputFiles('#register-file', blank);
  await page.fill('#register-name', 'Nobody');
  await page.click('#register-submit');
  const alert = await page.waitForSelector('#register-result .alert.error');
  const text = await alert.textContent();
  assert.match(text, /No face was found in this photo\. Choose a photo/);
  assert.doesNotMatch(text, /camera/i);
  await screenshot(page, '43-register-file-advice');
  const unexpected = errors.filter((e) => !/status of 422/.test(e));
  assert.deepEqual(unexpected, []);
});
