// Import many photos at once, as `faceid import` does, through POST /register/batch: choose (or drop) a
// folder with one sub-folder per person (the folder name is the person's name and external id), or a folder
// with a CSV file at its top, chosen in the "people from" list (columns name, external_id, path,
// metadata; paths relative to the CSV). Shows progress
// (done/total, photos per second, time left) and every refused photo with its reason and thumbnail.
// Photos already stored for that person are skipped (skip_known_photo), so dropping the same folder again
// adds only what is new.
import { api, ApiError } from './api.js';
import { h, clear, busy, toast } from './dom.js';
import { describeError } from './messages.js';

const PHOTO = /\.(jpe?g|png|webp|bmp)$/i;
const BATCH = 8;       // photos per request: progress stays smooth, one request stays short
const PARALLEL = 2;    // requests in flight (the server spreads each batch over its pipelines)

export class ImportView {
  constructor() {
    this.folderInput = h('input', { type: 'file', id: 'import-folder', class: 'sr-only', multiple: true, webkitdirectory: true, onchange: () => this.chosen([...this.folderInput.files]) });
    this.dropzone = h('label', { class: 'dropzone', for: this.folderInput.id, id: 'import-dropzone' },
      h('strong', {}, 'Choose a folder'),
      h('span', {}, 'or drag and drop it here'),
      h('small', {}, 'One sub-folder per person (its name is the person\'s name), or a CSV file with columns name, external_id, path, metadata'));
    for (const type of ['dragenter', 'dragover']) this.dropzone.addEventListener(type, (e) => { e.preventDefault(); this.dropzone.classList.add('dragging'); });
    for (const type of ['dragleave', 'drop']) this.dropzone.addEventListener(type, () => this.dropzone.classList.remove('dragging'));
    this.dropzone.addEventListener('drop', async (e) => {
      e.preventDefault();
      const files = await droppedFiles(e.dataTransfer);
      if (files.length) this.chosen(files);
    });
    this.plan = h('div', { id: 'import-plan', 'aria-live': 'polite' });
    this.mode = h('select', { id: 'import-mode', onchange: () => this.replan() });
    this.modeRow = h('p', { hidden: true }, h('label', { for: this.mode.id }, 'People from: '), this.mode);
    this.start = h('button', { type: 'button', class: 'primary', id: 'import-start', hidden: true, onclick: () => this.run() }, 'Import');
    this.progress = h('div', { class: 'import-progress', id: 'import-progress', hidden: true });
    this.rejects = h('div', { id: 'import-rejects' });
    this.element = h('div', { class: 'import' },
      h('h2', {}, 'Import people from photos'),
      h('section', { class: 'card' }, this.folderInput, this.dropzone, this.modeRow, this.plan, h('div', { class: 'actions' }, this.start)),
      this.progress, this.rejects);
  }

  activate() {}
  deactivate() {}

  chosen(files) {
    this.files = files;
    const csvs = files.filter((f) => /\.csv$/i.test(f.name) && relativePath(f).split('/').length <= 2);
    clear(this.mode, h('option', { value: '' }, 'one sub-folder per person'),
      csvs.map((f) => h('option', { value: relativePath(f) }, `the CSV file ${f.name}`)));
    this.modeRow.hidden = !csvs.length;
    return this.replan();
  }

  async replan() {
    const files = this.files || [];
    this.items = [];
    clear(this.rejects);
    this.progress.hidden = true;
    try {
      const csv = files.find((f) => this.mode.value && relativePath(f) === this.mode.value);
      this.items = csv ? await planCsvImport(files, csv) : planFolderImport(files);
    } catch (err) {
      clear(this.plan, h('p', { class: 'alert error', role: 'alert' }, err.message));
      this.start.hidden = true;
      return;
    }
    const people = new Set(this.items.map((i) => i.name)).size;
    const ignored = files.length - this.items.length;
    clear(this.plan, h('p', { id: 'import-summary' },
      `${this.items.length} photo${this.items.length === 1 ? '' : 's'} of ${people} ${people === 1 ? 'person' : 'people'}`,
      ignored ? h('span', { class: 'muted' }, ` (${ignored} other file${ignored === 1 ? '' : 's'} ignored)`) : null));
    this.start.hidden = !this.items.length;
  }

  async run() {
    const items = this.items || [];
    if (!items.length) return;
    const counts = { done: 0, created: 0, added: 0, skipped: 0, rejected: 0 };
    const started = performance.now();
    const bar = h('progress', { max: items.length, value: 0, id: 'import-bar' });
    const line = h('p', { id: 'import-status', 'aria-live': 'polite' });
    const list = h('ul', { class: 'reject-list', id: 'import-reject-list' });
    clear(this.progress, h('h3', {}, 'Progress'), bar, line);
    clear(this.rejects);
    this.progress.hidden = false;
    const show = (final) => {
      const seconds = (performance.now() - started) / 1000;
      const rate = counts.done / Math.max(seconds, 0.001);
      const left = rate > 0 ? (items.length - counts.done) / rate : 0;
      bar.value = counts.done;
      line.textContent = `${counts.done} / ${items.length} done · ${rate.toFixed(1)} photos/s · ${final ? 'finished' : `about ${formatSeconds(left)} left`} · ` +
        `${counts.created} new people, ${counts.added} photos added, ${counts.skipped} already in, ${counts.rejected} refused`;
    };
    const reject = (item, lines) => {
      counts.rejected++;
      if (!list.isConnected) this.rejects.append(h('section', { class: 'card' }, h('h3', {}, 'Refused photos'), list));
      const url = URL.createObjectURL(item.file);
      list.append(h('li', { class: 'reject' },
        h('img', { src: url, alt: '', class: 'thumb small', onload: () => URL.revokeObjectURL(url), onerror: () => URL.revokeObjectURL(url) }),
        h('div', {}, h('strong', { class: 'mono' }, item.path), h('span', { class: 'muted' }, ` → ${item.name}`), lines.map((l) => h('p', { class: 'small' }, l)))));
    };
    const batches = [];
    for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        try {
          const out = await api.registerBatch(batch.map((i) => i.file), batch.map((i) => i.fields));
          (out.results || []).forEach((r, k) => {
            if (r.error) reject(batch[k], describeError(new ApiError(r.status, r.error.code, r.error.message, r.error.details), 'file'));
            else if (r.skipped) counts.skipped++;
            else if (r.created) counts.created++;
            else counts.added++;
          });
        } catch (err) {
          for (const item of batch) reject(item, describeError(err, 'file'));
        }
        counts.done += batch.length;
        show(false);
      }
    };
    await busy(this.start, 'Importing…', () => Promise.all(Array.from({ length: PARALLEL }, worker)));
    show(true);
    toast(`Import finished: ${counts.created + counts.added} photos stored, ${counts.skipped} already in, ${counts.rejected} refused.`);
  }
}

// Items {file, path, name, fields} for the rows of a CSV file (paths relative to its folder).
async function planCsvImport(files, csv) {
  const byPath = new Map(files.map((f) => [relativePath(f), f]));
  const base = relativePath(csv).split('/').slice(0, -1).join('/');
  const rows = parseCsv(await csv.text());
  const header = (rows.shift() || []).map((c) => c.trim().toLowerCase());
  const col = (name) => header.indexOf(name);
  if (col('name') < 0 || col('path') < 0) throw new Error(`${csv.name} needs a header row with the columns name and path (and optionally external_id, metadata).`);
  const items = [];
  rows.forEach((row, i) => {
    if (!row.some((c) => c.trim())) return;
    const path = row[col('path')]?.trim() || '';
    const file = byPath.get(base ? `${base}/${path}` : path) || byPath.get(path);
    if (!file) throw new Error(`${csv.name}, line ${i + 2}: no file ${path} in the chosen folder.`);
    const fields = { name: row[col('name')].trim(), skip_known_photo: true };
    const external = col('external_id') >= 0 ? row[col('external_id')]?.trim() : '';
    if (external) fields.external_id = external;
    const metadata = col('metadata') >= 0 ? row[col('metadata')]?.trim() : '';
    if (metadata) {
      try { fields.metadata = JSON.parse(metadata); } catch (_) { throw new Error(`${csv.name}, line ${i + 2}: metadata is not JSON.`); }
    }
    items.push({ file, path, name: fields.name, fields });
  });
  return items;
}

// Items for one sub-folder per person (photos directly in the chosen folder belong to nobody: ignored).
function planFolderImport(files) {
  return files
    .map((file) => ({ file, parts: relativePath(file).split('/') }))
    .filter(({ file, parts }) => parts.length >= 3 && PHOTO.test(file.name))
    .sort((a, b) => relativePath(a.file).localeCompare(relativePath(b.file)))
    .map(({ file, parts }) => {
      const name = parts[parts.length - 2];
      // The folder name is also the external id: later runs and several photos reach the same person.
      return { file, path: parts.slice(1).join('/'), name, fields: { name, external_id: name, skip_known_photo: true } };
    });
}

function relativePath(file) {
  return file.webkitRelativePath || file.relativePath || file.name;
}

// Files of a dropped folder (the drop gives entries, not a file list), with their paths.
async function droppedFiles(transfer) {
  const entries = [...(transfer?.items || [])].map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
  const out = [];
  const walk = async (entry, prefix) => {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      file.relativePath = `${prefix}${file.name}`;
      out.push(file);
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const entry of entries) await walk(entry, '');
  return out;
}

// RFC 4180: quoted fields may hold commas, newlines and "" for a quote.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function formatSeconds(s) {
  if (s < 60) return `${Math.ceil(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s`;
}
