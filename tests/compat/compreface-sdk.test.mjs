// CompreFace clients against the real server (issue 16): the official JavaScript SDK
// (@exadel/compreface-js-sdk 1.0.0, pinned in package.json) drives the CompreFace-compatible routes of a real
// `faceid serve` with API keys on, and a replay of Double Take's CompreFace detector checks what it sends
// and what it parses. Photos from ../shared/data/photos-multi (four people, two examples each, a third photo
// to recognize) and photos-group; the suite skips itself when they are missing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompreFace } from '@exadel/compreface-js-sdk';
// Double Take's own HTTP stack: axios and form-data, as its detector uses them (both come with the SDK).
import axios from 'axios';
import FormData from 'form-data';
import { dataFile } from '../e2e/support/browser.mjs';
import { BINARY, startServer } from './support/server.mjs';

// Two examples and one photo to recognize per person (photos that pass the quality gates).
const PEOPLE = {
  p01: { examples: ['p01/img1.jpg', 'p01/img2.jpg'], probe: 'p01/img4.jpg' },
  p02: { examples: ['p02/img3.jpg', 'p02/img12.jpg'], probe: 'p02/img53.jpg' },
  p03: { examples: ['p03/img8.jpg', 'p03/img9.jpg'], probe: 'p03/img47.jpg' },
  p04: { examples: ['p04/img13.jpg', 'p04/img14.jpg'], probe: 'p04/img15.jpg' },
};
const GROUP = 'photos-group/sample1.jpg';
const photo = (p) => dataFile(p.startsWith('photos-') ? p : `photos-multi/${p}`);
// The SDK sends a file from disk only for a path that starts with '.' (otherwise it takes the string for a
// URL, base64 or a Blob): paths relative to the working folder.
function sdkPath(file) {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('.') ? relative : `./${relative}`;
}

const needed = [...Object.values(PEOPLE).flatMap((p) => [...p.examples, p.probe]), GROUP].map(photo);
const missing = needed.filter((f) => !fs.existsSync(f));
const skip = !fs.existsSync(BINARY) ? `${BINARY} is missing (build first)`
  : missing.length ? `test photos missing: ${missing.join(', ')}` : false;

// The SDK rejects with axios' error: the CompreFace answer is error.response.
async function refusal(promise) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error.response, `no HTTP answer: ${error.message}`);
    return { status: error.response.status, body: error.response.data };
  }
  assert.fail('expected the call to be refused');
}

// A photo without a face: a grey JPEG made with ffmpeg.
function greyJpeg() {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'faceid-compat-grey-')), 'grey.jpg');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=gray:s=320x240',
    '-frames:v', '1', out]);
  return out;
}

describe('CompreFace JavaScript SDK 1.0.0 against faceid serve', { skip }, () => {
  let server;
  let operator;
  let searcher;
  let core;
  const imageIds = {};

  before(async () => {
    server = await startServer();
    operator = server.createKey('operator', 'double take');
    searcher = server.createKey('searcher', 'camera');
    core = new CompreFace(server.host, server.port, {});
  });
  after(async () => {
    if (server) await server.stop();
  });

  test('subjects and examples are added and listed', async () => {
    const recognition = core.initFaceRecognitionService(operator);
    for (const [subject, person] of Object.entries(PEOPLE)) {
      assert.deepEqual(await recognition.getSubjects().add(subject), { subject });
      imageIds[subject] = [];
      for (const example of person.examples) {
        // det_prob_threshold makes the SDK glue a second '?' onto "faces?subject=p01".
        const added = await recognition.getFaceCollection()
          .add(sdkPath(photo(example)), subject, { det_prob_threshold: 0.8 });
        assert.equal(added.subject, subject, JSON.stringify(added));
        assert.match(added.image_id, /^f[0-9a-f]{16}$/);
        imageIds[subject].push(added.image_id);
      }
    }
    const { subjects } = await recognition.getSubjects().list();
    assert.deepEqual([...subjects].sort(), Object.keys(PEOPLE).sort());
    const page = await recognition.getFaceCollection().list();
    assert.equal(page.total_elements, 8);
    assert.equal(page.faces.length, 8);
    assert.equal(page.page_number, 0);
    for (const face of page.faces) assert.ok(imageIds[face.subject].includes(face.image_id));

    // An existing subject cannot be added again (CompreFace's 43).
    const again = await refusal(recognition.getSubjects().add('p01'));
    assert.equal(again.status, 400);
    assert.equal(again.body.code, 43);
  });

  test('another photo of each person is recognised, the right subject first', async () => {
    const recognition = core.initFaceRecognitionService(searcher);
    for (const [subject, person] of Object.entries(PEOPLE)) {
      const answer = await recognition.recognize(sdkPath(photo(person.probe)), { prediction_count: 2 });
      // The biggest face first (a photo may hold more, e.g. a false detection at its edge).
      assert.ok(answer.result.length >= 1, JSON.stringify(answer));
      const [face] = answer.result;
      assert.equal(face.subjects[0].subject, subject, JSON.stringify(face.subjects));
      assert.ok(face.subjects[0].similarity >= 0.6 && face.subjects[0].similarity <= 1, JSON.stringify(face));
      for (const s of face.subjects.slice(1)) assert.ok(s.similarity <= face.subjects[0].similarity);
      for (const k of ['probability', 'x_max', 'y_max', 'x_min', 'y_min']) assert.equal(typeof face.box[k], 'number');
      assert.ok(face.box.x_max > face.box.x_min && face.box.y_max > face.box.y_min);
      assert.equal(face.embedding, undefined);
    }
  });

  test('recognize with plugins and status', async () => {
    const recognition = core.initFaceRecognitionService(operator);
    const answer = await recognition.recognize(sdkPath(photo(PEOPLE.p02.probe)),
      { face_plugins: 'age,gender,landmarks,calculator,mask', status: true });
    const [face] = answer.result;
    assert.equal(face.subjects[0].subject, 'p02');
    assert.equal(face.landmarks.length, 5);
    assert.ok(face.age.low <= face.age.high);
    assert.ok(['male', 'female'].includes(face.gender.value));
    assert.ok(face.execution_time.total >= 0);
    assert.equal(face.embedding, undefined, 'the calculator plugin is for admin keys only');
    assert.equal(face.mask, undefined, 'a plugin we do not have is left out');
    assert.equal(answer.plugins_versions.age, 'faceid.fr_age');

    // The image as base64 in a JSON body ({"file": ...}), as the SDK sends a base64 string.
    const base64 = fs.readFileSync(photo(PEOPLE.p03.probe)).toString('base64');
    const fromJson = await core.initFaceRecognitionService(searcher).recognize(base64, {});
    assert.equal(fromJson.result[0].subjects[0].subject, 'p03');

    const admin = core.initFaceRecognitionService(server.admin);
    const withEmbedding = await admin.recognize(sdkPath(photo(PEOPLE.p02.probe)), { face_plugins: 'calculator' });
    assert.equal(withEmbedding.result[0].embedding.length, 512);
  });

  test('a photo is verified against an example', async () => {
    const recognition = core.initFaceRecognitionService(searcher);
    const example = imageIds.p03[0];
    const same = await recognition.getFaceCollection()
      .verify(sdkPath(photo(PEOPLE.p03.probe)), example, { face_plugins: 'landmarks' });
    assert.ok(same.result[0].similarity >= 0.6, JSON.stringify(same));
    assert.equal(same.result[0].landmarks.length, 5);
    const other = await core.initFaceRecognitionService(searcher).getFaceCollection()
      .verify(sdkPath(photo(PEOPLE.p01.probe)), example, {});
    assert.ok(other.result[0].similarity < 0.5, JSON.stringify(other));
  });

  test('detection with plugins finds every face of a group photo', async () => {
    const detection = core.initFaceDetectionService(searcher);
    const answer = await detection.detect(sdkPath(photo(GROUP)), { face_plugins: 'age,gender,landmarks' });
    assert.ok(answer.result.length >= 3, JSON.stringify(answer).slice(0, 300));
    for (const face of answer.result) {
      assert.ok(face.box.probability > 0 && face.box.probability <= 1);
      assert.equal(face.landmarks.length, 5);
      assert.ok(face.gender.value);
      assert.equal(face.subjects, undefined);
    }
    const limited = await detection.detect(sdkPath(photo(GROUP)), { limit: 2 });
    assert.equal(limited.result.length, 2);
  });

  test('two photos are verified', async () => {
    const verification = core.initFaceVerificationService(searcher);
    const same = await verification.verify(sdkPath(photo(PEOPLE.p04.examples[0])), sdkPath(photo(PEOPLE.p04.probe)), {});
    const [entry] = same.result;
    assert.ok(entry.source_image_face.box);
    assert.ok(entry.face_matches[0].similarity >= 0.6, JSON.stringify(entry));
    const different = await verification.verify(sdkPath(photo(PEOPLE.p04.probe)), sdkPath(photo(PEOPLE.p01.probe)), {});
    assert.ok(different.result[0].face_matches[0].similarity < 0.5);
  });

  test('an example and a subject are deleted, a subject renamed', async () => {
    // Deleting is an admin's, as DELETE /faces/{id} is: an operator key is refused in CompreFace's shape.
    const denied = await refusal(core.initFaceRecognitionService(operator).getFaceCollection().delete(imageIds.p01[1]));
    assert.equal(denied.status, 403);
    assert.equal(typeof denied.body.code, 'number');

    const admin = () => core.initFaceRecognitionService(server.admin);
    const removed = await admin().getFaceCollection().delete(imageIds.p01[1]);
    assert.deepEqual(removed, { image_id: imageIds.p01[1], subject: 'p01' });
    const p01 = await admin().getFaceCollection().list();
    assert.equal(p01.total_elements, 7);

    // The SDK does not encode subjects in paths: a space and a non-ASCII letter (which Node sends as a
    // Latin-1 byte) still name the subject.
    assert.deepEqual(await core.initFaceRecognitionService(operator).getSubjects().rename('p04', 'Zoë p04'),
      { updated: true });
    assert.ok((await admin().getSubjects().list()).subjects.includes('Zoë p04'));
    assert.deepEqual(await core.initFaceRecognitionService(operator).getSubjects().rename('Zoë p04', 'p04-renamed'),
      { updated: true });
    assert.deepEqual(await admin().getSubjects().delete('p04-renamed'), { subject: 'p04-renamed' });
    const { subjects } = await admin().getSubjects().list();
    assert.deepEqual([...subjects].sort(), ['p01', 'p02', 'p03']);
    // p04's photo is nobody's now.
    const answer = await core.initFaceRecognitionService(searcher).recognize(sdkPath(photo(PEOPLE.p04.probe)), {});
    assert.ok(answer.result[0].subjects.every((s) => s.subject !== 'p04' && s.subject !== 'p04-renamed'));
  });

  test('errors come back as CompreFace reports them', async () => {
    const recognition = core.initFaceRecognitionService(operator);
    const grey = greyJpeg();
    const noFace = await refusal(recognition.recognize(sdkPath(grey), {}));
    assert.deepEqual(noFace, { status: 400, body: { message: 'No face is found in the given image', code: 28 } });
    const noFaceExample = await refusal(recognition.getFaceCollection().add(sdkPath(grey), 'p01'));
    assert.equal(noFaceExample.body.code, 28);
    fs.rmSync(path.dirname(grey), { recursive: true, force: true });

    const unknown = await refusal(recognition.getSubjects().rename('nobody', 'somebody'));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 42);
    const unknownImage = await refusal(core.initFaceRecognitionService(server.admin).getFaceCollection()
      .delete('f00000000000000aa'));
    assert.deepEqual(unknownImage.body.code, 11);

    const badKey = await refusal(core.initFaceRecognitionService('fidb_nope').recognize(sdkPath(photo(PEOPLE.p01.probe)), {}));
    assert.equal(badKey.status, 401);
    assert.equal(badKey.body.code, 10);
    assert.equal(typeof badKey.body.message, 'string');

    // An example of another person added to a subject is refused: it does not match the subject.
    const mismatch = await refusal(recognition.getFaceCollection().add(sdkPath(photo(PEOPLE.p02.probe)), 'p01'));
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.body.code, 36);
  });

  // What Double Take's CompreFace detector sends (api/src/util/detectors/compreface.js): multipart "file"
  // from a read stream (no Content-Length: Node sends it chunked), the key in x-api-key, det_prob_threshold
  // in the query, validateStatus accepting every status; and what its normalize() reads.
  test("Double Take's detector: train, recognize, no face, remove", async () => {
    const URL = server.url;
    const KEY = operator;
    const send = (method, url, params, file) => {
      const formData = new FormData();
      if (file) formData.append('file', fs.createReadStream(file));
      return axios({
        method,
        headers: { ...(file ? formData.getHeaders() : {}), 'x-api-key': KEY },
        url,
        params,
        validateStatus() { return true; },
        data: file ? formData : undefined,
      });
    };
    // train({ name, key })
    const trained = await send('post', `${URL}/api/v1/recognition/faces`, { subject: 'dt person' }, photo('p05/img16.jpg'));
    assert.equal(trained.status, 201, JSON.stringify(trained.data));
    assert.equal(trained.data.subject, 'dt person');
    // recognize(key), then normalize({ data })
    const { data } = await send('post', `${URL}/api/v1/recognition/recognize`, { det_prob_threshold: 0.8 },
      photo('p05/img17.jpg'));
    assert.notEqual(data.code, 28);
    const normalized = data.result.map((obj) => {
      const [face] = obj.subjects;
      const confidence = face ? parseFloat((face.similarity * 100).toFixed(2)) : 0;
      return {
        name: face && confidence >= 40 ? face.subject.toLowerCase() : 'unknown',
        confidence,
        match: confidence >= 60,
        box: { top: obj.box.y_min, left: obj.box.x_min, width: obj.box.x_max - obj.box.x_min,
          height: obj.box.y_max - obj.box.y_min },
      };
    });
    assert.equal(normalized.length, 1);
    assert.equal(normalized[0].name, 'dt person');
    assert.equal(normalized[0].match, true, JSON.stringify(normalized));
    assert.ok(normalized[0].box.width > 0 && normalized[0].box.height > 0);
    // A stranger is not matched.
    const stranger = await send('post', `${URL}/api/v1/recognition/recognize`, { det_prob_threshold: 0.8 },
      photo('p06/img18.jpg'));
    for (const obj of stranger.data.result) {
      const [face] = obj.subjects;
      assert.ok(!face || face.subject !== 'dt person' || face.similarity < 0.6, JSON.stringify(obj));
    }
    // No face: normalize() returns [] on code 28.
    const grey = greyJpeg();
    const none = await send('post', `${URL}/api/v1/recognition/recognize`, { det_prob_threshold: 0.8 }, grey);
    fs.rmSync(path.dirname(grey), { recursive: true, force: true });
    assert.equal(none.status, 400);
    assert.equal(none.data.code, 28);
    // remove({ name }): deleting examples is an admin's.
    const refused = await send('delete', `${URL}/api/v1/recognition/faces`, { subject: 'dt person' });
    assert.equal(refused.status, 403);
    const removed = await axios({ method: 'delete', headers: { 'x-api-key': server.admin },
      url: `${URL}/api/v1/recognition/faces`, params: { subject: 'dt person' }, validateStatus: () => true });
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.data, { deleted: 1 });
  });
});
