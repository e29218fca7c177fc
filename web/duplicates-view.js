// Duplicates review (admin): the pairs GET /admin/duplicates lists, side by side with the two faces that
// are most alike; "Same person — merge" moves the one with fewer photos (or the newer) into the other, and
// "Different people" stores the
// decision (POST /admin/duplicates/keep-apart) so the pair is not listed again.
import { api } from './api.js';
import { h, clear, apiImage, busy, spinner, toast } from './dom.js';
import { describeError } from './messages.js';

export class DuplicatesView {
  constructor() {
    this.list = h('ol', { class: 'duplicate-list', id: 'duplicate-list' });
    this.status = h('div', { class: 'gallery-status', id: 'duplicates-status' });
    this.element = h('div', { class: 'duplicates' },
      h('div', { class: 'toolbar' }, h('h2', {}, 'Possible duplicates'),
        h('button', { type: 'button', class: 'secondary', id: 'duplicates-reload', onclick: () => this.load() }, 'Check again')),
      h('p', { class: 'muted' }, 'Pairs of registered people whose photos look very much alike: probably one person registered twice. Merge them, or mark them as different people so they are not listed again.'),
      this.status, this.list);
  }

  activate() { this.load(); }
  deactivate() {}

  async load() {
    const token = (this.token = Symbol('load'));
    clear(this.status, h('p', { class: 'loading-line' }, spinner(), ' Comparing every photo…'));
    clear(this.list);
    try {
      const out = await api.duplicates();
      if (token !== this.token) return;
      clear(this.status);
      const pairs = out.pairs || [];
      if (!pairs.length) {
        clear(this.status, h('div', { class: 'card empty', id: 'duplicates-empty' }, h('p', {}, 'No possible duplicates: no two people look alike enough.')));
        return;
      }
      this.list.append(...pairs.map((pair) => h('li', {}, this.card(pair))));
    } catch (err) {
      if (token !== this.token) return;
      clear(this.status, h('div', { class: 'alert error', role: 'alert' }, h('strong', {}, 'Could not load the review list'), describeError(err).map((l) => h('p', {}, l))));
    }
  }

  card(pair) {
    const side = (person, faceId) => h('div', { class: 'duplicate-side' },
      apiImage(`/faces/${encodeURIComponent(faceId)}/crop`, `Face of ${person.name}`, 'crop'),
      h('a', { href: `#/person/${encodeURIComponent(person.id)}`, class: 'person-name' }, person.name),
      h('span', { class: 'muted small' }, `${person.face_count ?? 0} photo${person.face_count === 1 ? '' : 's'}${person.external_id ? ` · ${person.external_id}` : ''}`));
    const card = h('article', { class: 'card duplicate-pair', dataset: { a: pair.a.id, b: pair.b.id } });
    // The record with more photos (else the older one) stays: it is the one people have been using.
    const keepA = (pair.a.face_count ?? 0) !== (pair.b.face_count ?? 0)
      ? (pair.a.face_count ?? 0) > (pair.b.face_count ?? 0)
      : String(pair.a.created_at) <= String(pair.b.created_at);
    const [into, from] = keepA ? [pair.a, pair.b] : [pair.b, pair.a];
    const merge = h('button', { type: 'button', class: 'primary merge-pair', onclick: () => this.merge(into, from, card, merge) }, `Same person — merge into ${into.name}`);
    const apart = h('button', { type: 'button', class: 'secondary keep-apart', onclick: () => this.keepApart(pair, card, apart) }, 'Different people');
    return clear(card,
      h('div', { class: 'duplicate-faces' }, side(pair.a, pair.face_a),
        h('div', { class: 'duplicate-score' }, h('span', { class: 'pct' }, Number(pair.similarity).toFixed(2)), h('span', { class: 'muted small' }, 'similarity')),
        side(pair.b, pair.face_b)),
      h('div', { class: 'actions' }, merge, apart));
  }

  async merge(into, from, card, button) {
    await busy(button, 'Merging…', async () => {
      try {
        const out = await api.mergePersons(into.id, from.id);
        const dropped = (out.dropped_face_ids || []).length;
        toast(`${from.name} was merged into ${into.name}${dropped ? `; ${dropped} photo${dropped === 1 ? ' was' : 's were'} removed (limit of photos per person)` : ''}.`);
        this.settle(card, `Merged into ${into.name}.`);
      } catch (err) {
        this.problem(card, err);
      }
    });
  }

  async keepApart(pair, card, button) {
    await busy(button, 'Saving…', async () => {
      try {
        await api.keepApart(pair.a.id, pair.b.id);
        toast(`${pair.a.name} and ${pair.b.name} are kept apart.`);
        this.settle(card, 'Kept apart: this pair will not be listed again.');
      } catch (err) {
        this.problem(card, err);
      }
    });
  }

  settle(card, text) {
    card.classList.add('done');
    card.querySelector('.actions').replaceWith(h('p', { class: 'badge ok settled' }, text));
  }

  problem(card, err) {
    card.querySelector('.alert')?.remove();
    card.append(h('div', { class: 'alert error', role: 'alert' }, describeError(err).map((l) => h('p', {}, l))));
  }
}
