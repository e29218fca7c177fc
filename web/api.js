// The one place that talks to the Face ID Boom HTTP API: adds the API key (kept in sessionStorage only),
// turns error bodies into ApiError objects, and asks for a key when the server answers 401.

const KEY_STORAGE = 'faceid.apiKey';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || 'http_' + status;
    this.details = details || {};
  }
}

export function getApiKey() {
  return sessionStorage.getItem(KEY_STORAGE) || '';
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

// Set by the page: shows the key dialog and resolves true when a key was entered.
let keyPrompt = async () => false;
export function onKeyRequired(prompt) {
  keyPrompt = prompt;
}

async function send(path, options, retried) {
  const headers = new Headers(options.headers || {});
  const key = getApiKey();
  if (key) headers.set('Authorization', `Bearer ${key}`);
  let response;
  try {
    response = await fetch(path, { ...options, headers });
  } catch (err) {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check the connection and try again.');
  }
  if (response.status === 401 && !retried && !options.noKeyPrompt) {
    if (await keyPrompt(key ? 'The API key was not accepted.' : 'This server needs an API key.')) {
      return send(path, options, true);
    }
  }
  if (!response.ok) {
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      /* not JSON: keep the status only */
    }
    const err = body && body.error ? body.error : {};
    throw new ApiError(response.status, err.code, err.message, err.details);
  }
  return response;
}

async function json(path, options = {}) {
  const response = await send(path, options, false);
  return response.status === 204 ? null : response.json();
}

function postJson(path, body) {
  return json(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

function form(fields) {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null || value === '') continue;
    if (value instanceof Blob) body.append(name, value, value.name || 'photo.jpg');
    else body.append(name, String(value));
  }
  return body;
}

export const api = {
  detect: (photo, signal) => json('/detect', { method: 'POST', body: form({ photo }), signal }),
  register: (fields) => json('/register', { method: 'POST', body: form(fields) }),
  search: (photo, { allFaces = true, topK = 5 } = {}) =>
    json('/search', { method: 'POST', body: form({ photo, all_faces: allFaces ? 'true' : '', top_k: topK }) }),
  persons: ({ limit = 24, cursor, name } = {}) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    if (name) query.set('name', name);
    return json(`/persons?${query}`);
  },
  person: (id) => json(`/persons/${encodeURIComponent(id)}`),
  updatePerson: (id, fields) =>
    json(`/persons/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(fields),
    }),
  deletePerson: (id) => json(`/persons/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  // Corrections: merge `fromId` into `intoId`; move a face to {person_id} or to a new {name, ...}.
  mergePersons: (intoId, fromId) => postJson(`/persons/${encodeURIComponent(intoId)}/merge`, { person_id: fromId }),
  moveFace: (faceId, target) => postJson(`/faces/${encodeURIComponent(faceId)}/move`, target),
  duplicates: ({ threshold } = {}) => json(`/admin/duplicates${threshold ? `?threshold=${threshold}` : ''}`),
  keepApart: (a, b) => postJson('/admin/duplicates/keep-apart', { person_ids: [a, b] }),
  // A batch of photos (File objects) with one item of fields each, for the import screen.
  registerBatch: (photos, items) => {
    const body = new FormData();
    for (const photo of photos) body.append('photos', photo, photo.name || 'photo.jpg');
    body.append('items', JSON.stringify(items));
    return json('/register/batch', { method: 'POST', body });
  },
  keys: () => json('/keys'),
  // The calling key's role (no key dialog: the page asks quietly to choose which screens to show).
  keySelf: () => json('/keys/self', { noKeyPrompt: true }),
  createKey: (role, name) => postJson('/keys', { role, name }),
  revokeKey: (id) => json(`/keys/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  audit: ({ action, keyId, cursor, limit = 25 } = {}) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (action) query.set('action', action);
    if (keyId) query.set('key_id', keyId);
    if (cursor) query.set('cursor', cursor);
    return json(`/audit?${query}`);
  },
  cleanup: (dryRun) => json(`/admin/cleanup?dry_run=${dryRun ? 'true' : 'false'}`, { method: 'POST' }),
  deleteFace: (id) => json(`/faces/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  // Images are fetched with the key too (an <img src> could not send the Authorization header).
  imageBlob: async (url) => (await send(url, {}, false)).blob(),
};
