// Register: a photo (camera or file), a name, an optional external id and metadata rows. Shows the stored
// crop, its quality and whether it became the person's primary photo, or what to fix when refused.
import { api } from './api.js';
import { h, clear, apiImage, announce, busy } from './dom.js';
import { describeError, qualityLabel } from './messages.js';
import { PhotoSource } from './photo-source.js';

export class RegisterView {
  constructor({ onRegistered }) {
    this.onRegistered = onRegistered;
    this.source = new PhotoSource({
      id: 'register',
      detectStill: true,
      onPhoto: () => this.updateReady(),
      onClear: () => this.updateReady(),
    });
    this.name = h('input', { id: 'register-name', name: 'name', required: true, autocomplete: 'off', maxlength: 200, placeholder: 'e.g. Maria Lopez' });
    this.externalId = h('input', { id: 'register-external-id', name: 'external_id', autocomplete: 'off', maxlength: 200, placeholder: 'Badge or visitor number' });
    this.metaRows = h('div', { class: 'meta-rows' });
    this.submit = h('button', { type: 'submit', class: 'primary', id: 'register-submit' }, 'Register person');
    this.photoNeeded = h('p', { class: 'field-hint', id: 'register-photo-needed' }, 'Take or choose a photo first.');
    this.result = h('div', { class: 'result-area', id: 'register-result', 'aria-live': 'polite' });
    this.form = h('form', { class: 'card form', novalidate: true, onsubmit: (e) => { e.preventDefault(); this.send(); } },
      h('h2', {}, 'Who is this?'),
      h('label', { for: this.name.id }, 'Name ', h('span', { class: 'required', 'aria-hidden': 'true' }, '*')),
      this.name,
      h('label', { for: this.externalId.id }, 'External ID ', h('span', { class: 'optional' }, '(optional)')),
      this.externalId,
      h('fieldset', { class: 'meta' },
        h('legend', {}, 'More details ', h('span', { class: 'optional' }, '(optional)')),
        this.metaRows,
        h('button', { type: 'button', class: 'link', id: 'register-add-field', onclick: () => this.addMetaRow(true) }, '+ Add a detail')),
      this.photoNeeded,
      this.submit);
    this.addMetaRow(false);
    this.element = h('div', { class: 'view-grid' }, h('div', { class: 'col' }, this.source.element), h('div', { class: 'col' }, this.form, this.result));
    this.updateReady();
  }

  addMetaRow(focus) {
    const n = this.metaRows.children.length + 1;
    const key = h('input', { class: 'meta-key', 'aria-label': `Detail ${n} name`, placeholder: 'e.g. Company', autocomplete: 'off' });
    const value = h('input', { class: 'meta-value', 'aria-label': `Detail ${n} value`, placeholder: 'e.g. ACME Ltd', autocomplete: 'off' });
    const row = h('div', { class: 'meta-row' }, key, value,
      h('button', { type: 'button', class: 'icon', 'aria-label': `Remove detail ${n}`, title: 'Remove', onclick: () => { row.remove(); if (!this.metaRows.children.length) this.addMetaRow(false); } }, '✕'));
    this.metaRows.append(row);
    if (focus) key.focus();
  }

  metadata() {
    const out = {};
    for (const row of this.metaRows.children) {
      const key = row.querySelector('.meta-key').value.trim();
      const value = row.querySelector('.meta-value').value.trim();
      if (key) out[key] = value;
    }
    return out;
  }

  updateReady() {
    this.photoNeeded.hidden = Boolean(this.source.photo);
  }

  activate() { this.source.activate(); }
  deactivate() { this.source.deactivate(); }

  async send() {
    clear(this.result);
    if (!this.source.photo) {
      this.showError(['Take a photo with the camera or choose a photo file first.']);
      return;
    }
    if (!this.name.value.trim()) {
      this.name.setAttribute('aria-invalid', 'true');
      this.showError(['Enter the person\'s name.']);
      this.name.focus();
      return;
    }
    this.name.removeAttribute('aria-invalid');
    const metadata = this.metadata();
    await busy(this.submit, 'Registering…', async () => {
      try {
        const out = await api.register({
          photo: this.source.photo,
          name: this.name.value.trim(),
          external_id: this.externalId.value.trim(),
          metadata: Object.keys(metadata).length ? JSON.stringify(metadata) : '',
        });
        this.showSuccess(out);
        this.onRegistered?.(out.person);
      } catch (err) {
        this.showError(describeError(err, this.source.origin), err.code === 'quality_gate_failed' ? 'The photo was not accepted' : 'Could not register');
      }
    });
  }

  showError(lines, title = 'Could not register') {
    clear(this.result, h('div', { class: 'alert error', role: 'alert' },
      h('strong', {}, title),
      lines.length > 1 ? h('ul', {}, lines.map((l) => h('li', {}, l))) : h('p', {}, lines[0])));
    announce(`${title}. ${lines.join(' ')}`);
    this.result.scrollIntoView({ block: 'nearest' });
  }

  showSuccess({ person, face, primary, faces_seen: facesSeen, rotation }) {
    const q = face.quality || {};
    const notes = [];
    if (primary) notes.push(h('span', { class: 'badge ok' }, '★ Primary photo'));
    else notes.push(h('span', { class: 'badge' }, 'Added as an extra photo (the primary one is better)'));
    if (facesSeen > 1) notes.push(h('p', { class: 'note' }, `${facesSeen} faces were in the photo; the largest one was used.`));
    if (rotation) notes.push(h('p', { class: 'note' }, `The photo was on its side: it was turned ${rotation}° to find the face.`));
    clear(this.result, h('div', { class: 'card success', id: 'register-success' },
      h('div', { class: 'success-head' }, h('span', { class: 'check', 'aria-hidden': 'true' }, '✓'), h('h2', {}, `${person.name} is registered`)),
      h('div', { class: 'success-body' },
        apiImage(face.crop_url, `Stored face of ${person.name}`, 'crop'),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Quality'), h('dd', { class: 'quality-value' }, qualityLabel(q.score)),
          person.external_id ? [h('dt', {}, 'External ID'), h('dd', {}, person.external_id)] : null,
          h('dt', {}, 'Photos'), h('dd', {}, String(person.face_count ?? 1)),
          Object.entries(person.metadata || {}).map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]))),
      h('div', { class: 'notes' }, notes),
      h('div', { class: 'actions' },
        h('a', { class: 'button secondary', href: `#/person/${encodeURIComponent(person.id)}` }, 'Open in gallery'),
        h('button', { type: 'button', class: 'primary', id: 'register-next', onclick: () => this.resetForm() }, 'Register someone else'))));
    announce(`${person.name} is registered.`);
    this.result.scrollIntoView({ block: 'nearest' });
  }

  resetForm() {
    this.name.value = '';
    this.externalId.value = '';
    clear(this.metaRows);
    this.addMetaRow(false);
    clear(this.result);
    this.source.reset();
    this.name.focus();
  }
}
