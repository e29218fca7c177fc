// End-to-end tests of the web page in Debian's Chromium against the real `faceid serve` (started by
// scripts/run-e2e.sh): register from the camera, search from the camera, an unknown stranger, a group
// photo with one result per face, and deleting a person. The flows run in order and share the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_URL, dataFile, skipReason, fakeCamera, openBrowser, screenshot, apiJson, photoForm,
} from './support/browser.mjs';

// Two different photos of the same person (one for the camera at registration, one for the camera at the
// search), a photo of someone else, and a group photo.
const PHOTOS = {
  register: 'photos-multi/p01/img11.jpg',
  search: 'photos-multi/p01/img6.jpg',
  stranger: 'photos-multi/p02/img3.jpg',
  group: 'photos-group/sample1.jpg',
};
const skip = skipReason(Object.values(PHOTOS));
const when = skip ? { skip } : {}; // an empty skip string would still mark the tests as skipped
const PHONE = { width: 390, height: 844 };
const person = { name: `E2E Visitor ${Date.now().toString(36)}`, externalId: 'V-4711', company: 'ACME Ltd' };

let registerBrowser;
let searchBrowser;

before(async () => {
  if (skip) return;
  registerBrowser = await openBrowser(fakeCamera(dataFile(PHOTOS.register), 'register'));
  searchBrowser = await openBrowser(fakeCamera(dataFile(PHOTOS.search), 'search'));
});

after(async () => {
  await registerBrowser?.close();
  await searchBrowser?.close();
});

function assertNoConsoleErrors(browser) {
  assert.deepEqual(browser.errors, [], 'the page logged errors');
}

// Waits until a face box from POST /detect is drawn over the live preview (the camera's first frames
// may be black) and returns the quality hint shown with it. Fails (times out) if no box is ever drawn.
async function waitForLiveFaceBox(page, prefix) {
  await page.waitForFunction((selector) => {
    const canvas = document.querySelector(selector);
    if (!canvas || !canvas.width) return false;
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    for (let i = 3; i < data.length; i += 4) if (data[i]) return true;
    return false;
  }, `#${prefix}-camera canvas.overlay`);
  return (await page.textContent(`#${prefix}-camera .hint`)).trim();
}

test('register a person from the camera', when, async () => {
  const { page } = registerBrowser;
  await page.goto(`${BASE_URL}/#/register`);
  await page.waitForSelector('#register-capture:not([disabled])');
  const hint = await waitForLiveFaceBox(page, 'register');
  assert.match(hint, /^(Looks good|Move closer|Hold still|Too dark|Too bright|Look at the camera|Face not clear)/, 'a quality hint goes with the box');
  await screenshot(page, '01-register-camera');

  await page.fill('#register-name', person.name);
  await page.fill('#register-external-id', person.externalId);
  await page.fill('.meta-row .meta-key', 'Company');
  await page.fill('.meta-row .meta-value', person.company);
  await page.click('#register-capture');
  await page.waitForSelector('.still-panel:not([hidden]) img[src^="blob:"]');
  await page.click('#register-submit');
  const success = await page.waitForSelector('#register-success');
  const text = await success.textContent();
  assert.match(text, new RegExp(`${person.name} is registered`));
  assert.match(text, /Primary photo/, 'the first photo of a person becomes the primary one');
  assert.match(await page.textContent('#register-success .quality-value'), /^\d{1,3}%$/);
  assert.match(text, /ACME Ltd/);
  await page.waitForFunction(() => document.querySelector('#register-success img.crop')?.naturalWidth > 0);
  await screenshot(page, '02-register-done');

  // The server really stored what the form sent.
  const { body } = await apiJson('GET', `/persons?name=${encodeURIComponent(person.name)}`);
  assert.equal(body.persons.length, 1);
  assert.equal(body.persons[0].external_id, person.externalId);
  assert.deepEqual(body.persons[0].metadata, { Company: person.company });
  person.id = body.persons[0].id;

  await page.setViewportSize(PHONE);
  await screenshot(page, '02b-register-done-phone');
  assertNoConsoleErrors(registerBrowser);
});

test('search from the camera finds that person with a percentage', when, async () => {
  assert.ok(person.id, 'the registration test ran first');
  const { page } = searchBrowser;
  await page.goto(`${BASE_URL}/#/search`);
  await page.waitForSelector('#search-capture:not([disabled])');
  await waitForLiveFaceBox(page, 'search');
  await screenshot(page, '03-search-camera');
  await page.click('#search-capture');
  await page.waitForSelector('#search-results .result');
  const cards = await page.$$('#search-results .result');
  assert.equal(cards.length, 1, 'one face in the camera photo, one result');
  assert.equal(await cards[0].getAttribute('class'), 'card result match');
  assert.equal((await cards[0].$eval('h3', (e) => e.textContent)).trim(), person.name);
  const pct = await cards[0].$eval('.pct', (e) => e.textContent);
  assert.match(pct, /^\d{1,3}\.\d%$/);
  const value = parseFloat(pct);
  assert.ok(value > 0 && value <= 100, `percentage in range: ${pct}`);
  const barWidth = await cards[0].$eval('.bar span', (e) => e.getBoundingClientRect().width / e.parentElement.getBoundingClientRect().width);
  assert.ok(Math.abs(barWidth * 100 - value) < 1.5, 'the bar shows the percentage');
  await page.waitForFunction(() => document.querySelector('#search-results img.primary-photo')?.naturalWidth > 0);
  await screenshot(page, '04-search-found');
  assertNoConsoleErrors(searchBrowser);
});

test('upload search of a stranger shows "unknown person"', when, async () => {
  const { page } = searchBrowser;
  await page.click('#search-retake');
  await page.click('#search-tab-upload');
  await page.setInputFiles('#search-file', dataFile(PHOTOS.stranger));
  await page.waitForSelector('#search-results .result');
  assert.equal(await page.$$eval('#search-results .result.unknown', (l) => l.length), 1);
  assert.equal(await page.$$eval('#search-results .result.match', (l) => l.length), 0);
  assert.equal((await page.textContent('#search-summary')).trim(), 'Unknown person');
  assert.match(await page.textContent('#search-results .result.unknown h3'), /Unknown person/);
  await screenshot(page, '05-search-stranger-unknown');
  assertNoConsoleErrors(searchBrowser);
});

test('a group photo shows one result per face', when, async () => {
  const { page } = searchBrowser;
  const detected = await apiJson('POST', '/detect', photoForm(dataFile(PHOTOS.group)));
  assert.equal(detected.status, 200);
  const faces = detected.body.faces.length;
  assert.ok(faces >= 2, `the group photo has several faces (${faces})`);

  await page.click('#search-retake');
  await page.setInputFiles('#search-file', dataFile(PHOTOS.group));
  await page.waitForSelector('#search-results .result');
  const numbers = await page.$$eval('#search-results .result .face-no', (l) => l.map((e) => e.textContent));
  assert.deepEqual(numbers, Array.from({ length: faces }, (_, i) => String(i + 1)), 'one numbered card per face');
  assert.match(await page.textContent('#search-summary'), new RegExp(`^${faces} faces`));
  const crops = await page.$$eval('#search-results .query-crop', (l) => l.map((c) => c.width));
  assert.deepEqual(crops, Array(faces).fill(160), 'each card shows its face cut from the photo');
  await screenshot(page, '06-search-group');
  await page.setViewportSize(PHONE);
  await screenshot(page, '06b-search-group-phone');
  assertNoConsoleErrors(searchBrowser);
});

test('delete removes the person from the gallery', when, async () => {
  assert.ok(person.id, 'the registration test ran first');
  const { page } = registerBrowser;
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto(`${BASE_URL}/#/gallery`);
  await page.fill('#gallery-filter', person.name);
  const card = await page.waitForSelector(`.person-card[data-person-id="${person.id}"]`);
  assert.match(await card.textContent(), /1 photo/);
  await screenshot(page, '07-gallery');

  await card.click();
  await page.waitForSelector('#person-name');
  assert.equal((await page.textContent('#person-name')).trim(), person.name);
  assert.equal(await page.$$eval('#person-faces .template', (l) => l.length), 1);
  await screenshot(page, '08-person');

  await page.click('#person-delete');
  await page.waitForSelector('#confirm-dialog[open]');
  await screenshot(page, '09-confirm-delete');
  await page.click('#confirm-ok');
  await page.waitForSelector('#gallery-empty');
  assert.equal((await page.textContent('#toast')).trim(), `${person.name} was deleted.`);
  assert.equal(await page.$$eval(`.person-card[data-person-id="${person.id}"]`, (l) => l.length), 0);
  await screenshot(page, '10-gallery-after-delete');

  assert.equal((await apiJson('GET', `/persons/${person.id}`)).status, 404);
  assertNoConsoleErrors(registerBrowser);
});

test('a file that is not a photo is refused in plain words', when, async () => {
  const { page, errors } = registerBrowser;
  errors.length = 0;
  await page.goto(`${BASE_URL}/#/register`);
  await page.click('#register-tab-upload');
  await page.setInputFiles('#register-file', { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is a shopping list, not a photo') });
  await page.fill('#register-name', 'Not A Photo');
  await page.click('#register-submit');
  const alert = await page.waitForSelector('#register-result .alert.error');
  const text = await alert.textContent();
  assert.match(text, /not a photo|damaged or incomplete/, 'the refusal says what is wrong');
  assert.match(text, /Choose|choose another file/, 'and what to do');
  assert.doesNotMatch(text, /not_an_image|corrupt_image|unsupported_format/, 'no machine codes are shown');
  await screenshot(page, '11-register-not-a-photo');
  // The refused upload is the one expected console line (Chromium reports every HTTP error status).
  const unexpected = errors.filter((e) => !/Failed to load resource: the server responded with a status of 4(00|15|22)/.test(e));
  assert.deepEqual(unexpected, []);
  assert.ok(errors.length <= 1);
});

// The Content-Security-Policy every response carries (no inline scripts, inline styles allowed, images
// from blob: and data:) must leave Swagger UI working: it renders the API's title and operations, and
// Chromium reports no policy violation.
test('the API docs render under the Content-Security-Policy', when, async () => {
  const { page, errors } = registerBrowser;
  errors.length = 0;
  const failed = [];
  const onConsole = (msg) => {
    if (msg.type() === 'error' && /status of 4\d\d/.test(msg.text()))
      failed.push(new URL(msg.location().url || 'http://x/?').pathname);
  };
  page.on('console', onConsole);
  const response = await page.goto(`${BASE_URL}/docs`);
  assert.match(response.headers()['content-security-policy'] || '', /default-src 'self'/);
  await page.waitForSelector('.swagger-ui .info .title');
  await page.waitForSelector('.swagger-ui .opblock');
  assert.match(await page.textContent('.swagger-ui .info .title'), /Face ID Boom/);
  await screenshot(page, '12-api-docs');
  page.off('console', onConsole);
  // The page has no icon, so Chromium's request for /favicon.ico is the one failed load expected.
  assert.deepEqual(failed.filter((f) => f !== '/favicon.ico'), [], 'resources that failed to load');
  const unexpected = errors.filter((e) => !/status of 404/.test(e));
  assert.deepEqual(unexpected, [], 'Swagger UI logged errors (a Content-Security-Policy violation?)');
});
