// One person: their faces (templates) as crops, with the primary marked; edit name, external id and
// details (PATCH); add a photo from the camera or a file (POST /register with person_id); pin the primary;
// move a face that is not this person to someone else or to a new person; merge another person in;
// delete a face or the person. `#/person/ID/fix/FACE` opens the move dialog for that face at once (the
// one-click fix from a wrong search match).
import { api } from './api.js';
import { h, clear, apiImage, busy, spinner, toast, announce } from './dom.js';
import { describeError, qualityLabel } from './messages.js';
import { confirmDialog, personPickerDialog } from './dialogs.js';
import { PhotoSource } from './photo-source.js';

export class PersonView {
  constructor() {
    this.element = h('div', { class: 'person-view', id: 'person-view' });
    this.addSubmit = h('button', { type: 'button', class: 'primary', id: 'person-add-submit', disabled: true, onclick: () => this.addPhoto() }, 'Add this photo');
    this.addResult = h('div', { class: 'result-area', id: 'person-add-result', 'aria-live': 'polite' });
    this.source = new PhotoSource({
      id: 'person',
      detectStill: true,
      onPhoto: () => { this.addSubmit.disabled = false; clear(this.addResult); },
      onClear: () => { this.addSubmit.disabled = true; },
    });
    this.addPanel = h('section', { class: 'card add-photo', id: 'person-add-panel', hidden: true, 'aria-label': 'Add a photo' },
      h('h3', {}, 'Add a photo'),
      h('p', { class: 'muted' }, 'Another photo of this person makes recognition more reliable (two or three are best).'),
      this.source.element,
      h('div', { class: 'actions' }, this.addSubmit,
        h('button', { type: 'button', class: 'secondary', onclick: () => this.toggleAddPanel(false) }, 'Close')),
      this.addResult);
    this.active = false;
  }

  activate() {
    this.active = true;
    if (!this.addPanel.hidden) this.source.activate();
  }

  deactivate() {
    this.active = false;
    this.source.deactivate();
  }

  // arg: "ID" or "ID/fix/FACE_ID".
  async show(arg) {
    const [id, action, faceId] = arg.split('/');
    this.id = id;
    this.toggleAddPanel(false);
    clear(this.element, h('p', { class: 'loading-line' }, spinner(), ' Loading…'));
    try {
      const person = await api.person(id);
      if (this.id !== id) return;
      this.render(person);
      if (action === 'fix' && faceId) this.startFix(person, faceId);
    } catch (err) {
      if (this.id !== id) return;
      clear(this.element, backLink(), h('div', { class: 'alert error', role: 'alert' }, h('strong', {}, 'Could not open this person'), describeError(err).map((l) => h('p', {}, l))));
    }
  }

  async reload() {
    try {
      const person = await api.person(this.id);
      this.render(person);
    } catch (err) {
      this.flash('Could not reload this person', err);
    }
  }

  render(p) {
    this.person = p;
    const faces = p.faces || [];
    const deleteButton = h('button', { type: 'button', class: 'danger', id: 'person-delete', onclick: () => this.deletePerson(p, deleteButton) }, 'Delete person');
    this.editForm = this.buildEditForm(p);
    this.editForm.hidden = true;
    this.facts = h('dl', { class: 'facts', id: 'person-facts' },
      p.external_id ? [h('dt', {}, 'External ID'), h('dd', {}, p.external_id)] : null,
      Object.entries(p.metadata || {}).map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]),
      h('dt', {}, 'Registered'), h('dd', {}, formatDate(p.created_at)),
      h('dt', {}, 'Photos'), h('dd', {}, String(faces.length)));
    clear(this.element,
      backLink(),
      h('div', { class: 'card person-head' },
        apiImage(p.crop_url, `Face of ${p.name}`, 'primary-photo large'),
        h('div', { class: 'person-info' },
          h('h2', { id: 'person-name', tabindex: '-1' }, p.name),
          this.facts,
          this.editForm,
          h('div', { class: 'actions' },
            h('button', { type: 'button', class: 'secondary', id: 'person-edit', onclick: () => this.toggleEdit(true) }, 'Edit details'),
            h('button', { type: 'button', class: 'primary', id: 'person-add-photo', onclick: () => this.toggleAddPanel(true) }, 'Add a photo'),
            h('button', { type: 'button', class: 'secondary', id: 'person-merge', onclick: (e) => this.merge(p, e.currentTarget) }, 'Merge with…'),
            deleteButton))),
      this.addPanel,
      h('h3', {}, 'Photos (templates)'),
      h('p', { class: 'muted small' }, p.primary_pinned
        ? 'The primary photo was chosen by hand and stays until another one is made primary.'
        : 'The best photo is the primary one, chosen automatically until you make one primary.'),
      h('ul', { class: 'template-grid', id: 'person-faces' }, faces.map((f, i) => h('li', {}, this.faceCard(p, f, i + 1, faces.length)))));
  }

  buildEditForm(p) {
    const name = h('input', { id: 'person-edit-name', required: true, maxlength: 200, value: p.name, autocomplete: 'off' });
    const externalId = h('input', { id: 'person-edit-external-id', maxlength: 128, value: p.external_id || '', autocomplete: 'off' });
    const rows = h('div', { class: 'meta-rows', id: 'person-edit-meta' });
    const addRow = (key = '', value = '') => {
      const row = h('div', { class: 'meta-row' },
        h('input', { class: 'meta-key', 'aria-label': 'Detail name', value: key, autocomplete: 'off', placeholder: 'e.g. Company' }),
        h('input', { class: 'meta-value', 'aria-label': 'Detail value', value, autocomplete: 'off', placeholder: 'e.g. ACME Ltd' }),
        h('button', { type: 'button', class: 'icon', 'aria-label': 'Remove detail', title: 'Remove', onclick: () => row.remove() }, '✕'));
      rows.append(row);
    };
    for (const [k, v] of Object.entries(p.metadata || {})) addRow(k, typeof v === 'string' ? v : JSON.stringify(v));
    if (!rows.children.length) addRow();
    const problem = h('div', { class: 'result-area', 'aria-live': 'polite' });
    const save = h('button', { type: 'submit', class: 'primary', id: 'person-save' }, 'Save');
    const form = h('form', { class: 'form edit-form', id: 'person-edit-form', novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      if (!name.value.trim()) {
        clear(problem, h('p', { class: 'alert error', role: 'alert' }, 'Enter a name.'));
        name.focus();
        return;
      }
      const metadata = {};
      for (const row of rows.children) {
        const key = row.querySelector('.meta-key').value.trim();
        if (key) metadata[key] = row.querySelector('.meta-value').value.trim();
      }
      await busy(save, 'Saving…', async () => {
        try {
          await api.updatePerson(p.id, { name: name.value.trim(), external_id: externalId.value.trim(), metadata });
          toast('The details were saved.');
          await this.reload();
        } catch (err) {
          clear(problem, h('div', { class: 'alert error', role: 'alert' }, h('strong', {}, 'Could not save'), describeError(err).map((l) => h('p', {}, l))));
        }
      });
    } },
    h('label', { for: name.id }, 'Name'), name,
    h('label', { for: externalId.id }, 'External ID ', h('span', { class: 'optional' }, '(optional)')), externalId,
    h('fieldset', { class: 'meta' }, h('legend', {}, 'More details'), rows,
      h('button', { type: 'button', class: 'link', onclick: () => addRow() }, '+ Add a detail')),
    problem,
    h('div', { class: 'actions' }, save, h('button', { type: 'button', class: 'secondary', onclick: () => this.toggleEdit(false) }, 'Cancel')));
    return form;
  }

  toggleEdit(on) {
    this.editForm.hidden = !on;
    this.facts.hidden = on;
    if (on) this.editForm.querySelector('input').focus();
  }

  toggleAddPanel(on) {
    this.addPanel.hidden = !on;
    if (on) {
      clear(this.addResult);
      this.source.reset();
      if (this.active) this.source.activate();
      this.addPanel.scrollIntoView({ block: 'nearest' });
    } else {
      this.source.deactivate();
    }
  }

  async addPhoto() {
    const p = this.person;
    const photo = this.source.photo;
    if (!photo) return;
    await busy(this.addSubmit, 'Adding…', async () => {
      try {
        const out = await api.register({ photo, person_id: p.id });
        const dropped = (out.dropped_face_ids || []).length;
        toast(`The photo was added to ${p.name}${out.primary ? ' and is now the primary photo' : ''}.${dropped ? ` ${dropped} older photo${dropped === 1 ? ' was' : 's were'} removed (limit of photos per person).` : ''}`);
        this.toggleAddPanel(false);
        await this.reload();
      } catch (err) {
        const lines = describeError(err, this.source.origin);
        clear(this.addResult, h('div', { class: 'alert error', role: 'alert' }, h('strong', {}, 'The photo was not added'), lines.map((l) => h('p', {}, l))));
        announce(`The photo was not added. ${lines.join(' ')}`);
      }
    });
  }

  faceCard(person, face, number, total) {
    const q = face.quality || {};
    const del = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Delete photo ${number}`, onclick: () => this.deleteFace(person, face, total, del) }, 'Delete');
    const move = h('button', { type: 'button', class: 'secondary small move-face', 'aria-label': `Photo ${number} is not ${person.name}`, onclick: () => this.moveFace(person, face, move) }, 'Not this person?');
    const pin = face.primary ? null
      : h('button', { type: 'button', class: 'secondary small make-primary', 'aria-label': `Make photo ${number} the primary photo`, onclick: () => this.pin(person, face, pin) }, 'Make primary');
    return h('figure', { class: 'template card', dataset: { faceId: face.id } },
      apiImage(face.crop_url, `Photo ${number} of ${person.name}`, 'crop'),
      h('figcaption', {},
        face.primary ? h('span', { class: 'badge ok primary-badge' }, person.primary_pinned ? '★ Primary · pinned' : '★ Primary') : null,
        h('span', {}, `Quality ${qualityLabel(q.score)}`),
        h('span', { class: 'muted small' }, formatDate(face.created_at)),
        h('span', { class: 'face-actions' }, pin, move, del)));
  }

  async pin(person, face, button) {
    await busy(button, 'Saving…', async () => {
      try {
        await api.updatePerson(person.id, { primary_face_id: face.id });
        toast('This photo is now the primary photo.');
      } catch (err) {
        this.flash('Could not change the primary photo', err);
        return;
      }
      await this.reload();
    });
  }

  // "This is not X": move the face to someone else or a new person (an explicit correction).
  async moveFace(person, face, button) {
    const target = await personPickerDialog({
      title: `This photo is not ${person.name}`,
      text: 'Move it to the person it shows. Their other photos stay as they are.',
      excludeId: person.id,
      allowNew: true,
      confirmLabel: 'Move photo',
    });
    if (!target) return;
    const run = async () => {
      try {
        const out = await api.moveFace(face.id, target.new ? { name: target.name } : { person_id: target.person_id });
        const dropped = (out.dropped_face_ids || []).length;
        toast(`The photo was moved to ${out.person.name}.${dropped ? ` ${dropped} of their older photos ${dropped === 1 ? 'was' : 'were'} removed (limit of photos per person).` : ''}`);
        if (!out.from_person) location.hash = `#/person/${encodeURIComponent(out.person.id)}`;
        else if (location.hash.includes('/fix/')) location.hash = `#/person/${encodeURIComponent(person.id)}`;
        else await this.reload();
      } catch (err) {
        this.flash('Could not move the photo', err);
      }
    };
    if (button) await busy(button, 'Moving…', run);
    else await run();
  }

  startFix(person, faceId) {
    const card = this.element.querySelector(`.template[data-face-id="${CSS.escape(faceId)}"]`);
    const face = (person.faces || []).find((f) => f.id === faceId);
    if (!card || !face) {
      this.element.prepend(h('p', { class: 'alert warn', role: 'status' }, 'The photo that matched is no longer one of this person\'s photos.'));
      return;
    }
    card.classList.add('highlight');
    card.scrollIntoView({ block: 'center' });
    this.moveFace(person, face, card.querySelector('.move-face'));
  }

  async merge(p, button) {
    const other = await personPickerDialog({
      title: `Merge someone into ${p.name}`,
      text: `Choose the person who is really ${p.name} (registered twice). Their photos move to ${p.name}, and they are removed.`,
      excludeId: p.id,
      confirmLabel: 'Choose',
    });
    if (!other) return;
    const ok = await confirmDialog({
      title: `Merge ${other.name} into ${p.name}?`,
      text: `All photos of ${other.name} move to ${p.name}; ${p.name}'s name and details stay, and what ${p.name} lacks (an external id, detail fields) is taken from ${other.name}. If that makes more photos than a person may keep, the lowest-quality ones are removed.`,
      confirmLabel: 'Merge',
      danger: false,
    });
    if (!ok) return;
    await busy(button, 'Merging…', async () => {
      try {
        const out = await api.mergePersons(p.id, other.person_id);
        const dropped = (out.dropped_face_ids || []).length;
        toast(`${other.name} was merged into ${p.name}: ${out.moved.length} photo${out.moved.length === 1 ? '' : 's'} moved${dropped ? `, ${dropped} removed (limit of photos per person)` : ''}.`);
      } catch (err) {
        this.flash('Could not merge', err);
        return;
      }
      await this.reload();
    });
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
        this.flash('Could not delete', err);
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
    let deleted = false;
    await busy(button, 'Deleting…', async () => {
      try {
        await api.deleteFace(face.id);
        deleted = true;
        toast('The photo was deleted.');
      } catch (err) {
        this.flash('Could not delete', err);
      }
    });
    if (!deleted) return;
    if (last) location.hash = '#/gallery';
    else this.reload();
  }

  flash(title, err) {
    this.element.querySelector('.alert.flash')?.remove();
    this.element.prepend(h('div', { class: 'alert error flash', role: 'alert' }, h('strong', {}, title), describeError(err).map((l) => h('p', {}, l))));
    this.element.scrollIntoView({ block: 'start' });
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
