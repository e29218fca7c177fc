// Gallery: registered persons with their primary photo and number of templates, filtered by name and paged
// with the API's cursor; and the person view with every template, its quality and delete buttons.
import { api } from './api.js';
import { h, clear, apiImage, busy, spinner, toast } from './dom.js';
import { describeError, qualityLabel } from './messages.js';
import { confirmDialog } from './dialogs.js';

const PAGE_SIZE = 24;

export class GalleryView {
  constructor() {
    this.filter = h('input', { type: 'search', id: 'gallery-filter', placeholder: 'Filter by name', autocomplete: 'off', 'aria-label': 'Filter by name' });
    this.filter.addEventListener('input', () => {
      clearTimeout(this.filterTimer);
      this.filterTimer = setTimeout(() => this.load(), 300);
    });
    this.count = h('p', { class: 'muted', id: 'gallery-count', 'aria-live': 'polite' });
    this.grid = h('ul', { class: 'gallery-grid', id: 'gallery-grid' });
    this.more = h('button', { type: 'button', class: 'secondary', id: 'gallery-more', hidden: true, onclick: () => this.loadMore() }, 'Show more');
    this.status = h('div', { class: 'gallery-status' });
    this.element = h('div', { class: 'gallery' },
      h('div', { class: 'toolbar' }, h('h2', {}, 'Registered people'), this.filter),
      this.count, this.status, this.grid, h('div', { class: 'center' }, this.more));
    this.cursor = null;
    this.shown = 0;
  }

  activate() { this.load(); }
  deactivate() {}

  async load() {
    const token = (this.loadToken = Symbol('load'));
    this.cursor = null;
    this.shown = 0;
    clear(this.status, h('p', { class: 'loading-line' }, spinner(), ' Loading…'));
    this.more.hidden = true;
    try {
      const page = await api.persons({ limit: PAGE_SIZE, name: this.filter.value.trim() });
      if (token !== this.loadToken) return;
      clear(this.grid);
      clear(this.status);
      this.addPage(page);
    } catch (err) {
      if (token !== this.loadToken) return;
      clear(this.grid);
      this.showError(err);
    }
  }

  async loadMore() {
    const token = this.loadToken;
    await busy(this.more, 'Loading…', async () => {
      try {
        const page = await api.persons({ limit: PAGE_SIZE, cursor: this.cursor, name: this.filter.value.trim() });
        if (token === this.loadToken) this.addPage(page);
      } catch (err) {
        this.showError(err);
      }
    });
  }

  addPage(page) {
    const persons = page.persons || [];
    this.grid.append(...persons.map((p) => h('li', {}, personCard(p))));
    this.shown += persons.length;
    this.cursor = page.next_cursor || null;
    this.more.hidden = !this.cursor;
    const filtered = this.filter.value.trim();
    if (!this.shown) {
      clear(this.status, h('div', { class: 'card empty', id: 'gallery-empty' },
        filtered
          ? [h('p', {}, `Nobody named “${filtered}”.`), h('button', { type: 'button', class: 'secondary', onclick: () => { this.filter.value = ''; this.load(); this.filter.focus(); } }, 'Show everyone')]
          : [h('p', {}, 'Nobody is registered yet.'), h('a', { class: 'button primary', href: '#/register' }, 'Register the first person')]));
    }
    this.count.textContent = this.shown ? `${this.shown}${this.cursor ? '+' : ''} ${this.shown === 1 ? 'person' : 'people'}${filtered ? ` matching “${filtered}”` : ''}` : '';
  }

  showError(err) {
    clear(this.status, h('div', { class: 'alert error', role: 'alert' }, h('strong', {}, 'Could not load the gallery'),
      describeError(err).map((l) => h('p', {}, l)),
      h('button', { type: 'button', class: 'secondary', onclick: () => this.load() }, 'Try again')));
  }
}

function personCard(p) {
  const photos = p.face_count ?? 0;
  return h('a', { class: 'person-card', href: `#/person/${encodeURIComponent(p.id)}`, dataset: { personId: p.id } },
    apiImage(p.photo_url, '', 'thumb'),
    h('span', { class: 'person-name' }, p.name),
    h('span', { class: 'muted small' }, `${photos} ${photos === 1 ? 'photo' : 'photos'}${p.external_id ? ` · ${p.external_id}` : ''}`));
}

export class PersonView {
  constructor() {
    this.element = h('div', { class: 'person-view', id: 'person-view' });
  }

  activate() {}
  deactivate() {}

  async show(id) {
    this.id = id;
    clear(this.element, h('p', { class: 'loading-line' }, spinner(), ' Loading…'));
    try {
      const person = await api.person(id);
      if (this.id === id) this.render(person);
    } catch (err) {
      if (this.id !== id) return;
      clear(this.element, backLink(), h('div', { class: 'alert error', role: 'alert' }, h('strong', {}, 'Could not open this person'), describeError(err).map((l) => h('p', {}, l))));
    }
  }

  render(p) {
    const faces = p.faces || [];
    const deleteButton = h('button', { type: 'button', class: 'danger', id: 'person-delete', onclick: () => this.deletePerson(p, deleteButton) }, 'Delete person');
    clear(this.element,
      backLink(),
      h('div', { class: 'card person-head' },
        apiImage(p.photo_url, `Primary photo of ${p.name}`, 'primary-photo large'),
        h('div', { class: 'person-info' },
          h('h2', { id: 'person-name' }, p.name),
          h('dl', { class: 'facts' },
            p.external_id ? [h('dt', {}, 'External ID'), h('dd', {}, p.external_id)] : null,
            Object.entries(p.metadata || {}).map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]),
            h('dt', {}, 'Registered'), h('dd', {}, formatDate(p.created_at)),
            h('dt', {}, 'Photos'), h('dd', {}, String(faces.length))),
          h('div', { class: 'actions' }, deleteButton))),
      h('h3', {}, 'Photos (templates)'),
      h('ul', { class: 'template-grid', id: 'person-faces' }, faces.map((f, i) => h('li', {}, this.faceCard(p, f, i + 1, faces.length)))));
    this.element.querySelector('h2').focus?.();
  }

  faceCard(person, face, number, total) {
    const q = face.quality || {};
    const del = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Delete photo ${number}`, onclick: () => this.deleteFace(person, face, total, del) }, 'Delete');
    return h('figure', { class: 'template card', dataset: { faceId: face.id } },
      apiImage(face.crop_url, `Photo ${number} of ${person.name}`, 'crop'),
      h('figcaption', {},
        face.primary ? h('span', { class: 'badge ok' }, '★ Primary') : null,
        h('span', {}, `Quality ${qualityLabel(q.score)}`),
        h('span', { class: 'muted small' }, formatDate(face.created_at)),
        del));
  }

  async deletePerson(p, button) {
    const ok = await confirmDialog({ title: `Delete ${p.name}?`, text: 'All photos and data of this person will be removed. This cannot be undone.', confirmLabel: 'Delete person' });
    if (!ok) return;
    await busy(button, 'Deleting…', async () => {
      try {
        await api.deletePerson(p.id);
        toast(`${p.name} was deleted.`);
        location.hash = '#/gallery';
      } catch (err) {
        this.flash(err);
      }
    });
  }

  async deleteFace(p, face, total, button) {
    const last = total <= 1;
    const ok = await confirmDialog({
      title: 'Delete this photo?',
      text: last ? `This is ${p.name}'s only photo. ${p.name} will no longer be recognised until a new photo is added.` : `${p.name} will still be recognised from the other photos.`,
      confirmLabel: 'Delete photo',
    });
    if (!ok) return;
    await busy(button, 'Deleting…', async () => {
      try {
        await api.deleteFace(face.id);
        toast('The photo was deleted.');
      } catch (err) {
        this.flash(err);
        return;
      }
    });
    this.show(p.id);
  }

  flash(err) {
    this.element.prepend(h('div', { class: 'alert error', role: 'alert' }, h('strong', {}, 'Could not delete'), describeError(err).map((l) => h('p', {}, l))));
  }
}

function backLink() {
  return h('a', { class: 'back', href: '#/gallery' }, '← All people');
}

function formatDate(value) {
  if (!value) return '–';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
