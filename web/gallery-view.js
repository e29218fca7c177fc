// Gallery: registered persons with their primary face and number of templates, filtered by name and paged
// with the API's cursor. One person's page is person-view.js.
import { api } from './api.js';
import { h, clear, apiImage, busy, spinner } from './dom.js';
import { describeError } from './messages.js';

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
    apiImage(p.crop_url, '', 'thumb'), // the face, not the whole photo
    h('span', { class: 'person-name' }, p.name),
    h('span', { class: 'muted small' }, `${photos} ${photos === 1 ? 'photo' : 'photos'}${p.external_id ? ` · ${p.external_id}` : ''}`));
}
