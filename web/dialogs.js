// Modal dialogs built on <dialog> (focus trapping and Escape come from the browser): a confirmation for
// deletions, the API key prompt, and a person picker (merge, "this is not X").
import { h, clear, apiImage } from './dom.js';
import { api, getApiKey, setApiKey } from './api.js';

export function confirmDialog({ title, text, confirmLabel = 'Delete', danger = true }) {
  return new Promise((resolve) => {
    const cancel = h('button', { type: 'button', class: 'secondary', value: 'cancel', onclick: () => dialog.close('cancel') }, 'Cancel');
    const ok = h('button', { type: 'submit', class: danger ? 'danger' : 'primary', value: 'ok', id: 'confirm-ok' }, confirmLabel);
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'confirm-title', id: 'confirm-dialog' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'confirm-title' }, title),
        h('p', {}, text),
        h('div', { class: 'actions' }, cancel, ok)));
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'ok');
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

let openKeyDialog = null;
export function keyDialog(reason = '') {
  if (openKeyDialog) return openKeyDialog;
  openKeyDialog = new Promise((resolve) => {
    const input = h('input', { id: 'api-key-input', type: 'password', autocomplete: 'off', spellcheck: 'false', value: getApiKey() });
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'key-title', id: 'key-dialog' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'key-title' }, 'API key'),
        reason ? h('p', { class: 'alert warn' }, reason) : null,
        h('p', {}, 'Enter the key your administrator gave you. It is kept only in this browser tab and forgotten when the tab is closed.'),
        h('label', { for: input.id }, 'Key'),
        input,
        // Save comes first in the DOM so that Enter in the field saves; row-reverse shows it last.
        h('div', { class: 'actions reverse' },
          h('button', { type: 'submit', class: 'primary', value: 'save', id: 'api-key-save' }, 'Save key'),
          h('button', { type: 'submit', class: 'secondary', value: 'cancel', formnovalidate: true }, 'Cancel'),
          getApiKey() ? h('button', { type: 'submit', class: 'link', value: 'forget' }, 'Forget key') : null)));
    dialog.addEventListener('close', () => {
      dialog.remove();
      openKeyDialog = null;
      if (dialog.returnValue === 'save' && input.value.trim()) {
        setApiKey(input.value.trim());
        document.dispatchEvent(new CustomEvent('apikeychange'));
        resolve(true);
      } else {
        if (dialog.returnValue === 'forget') {
          setApiKey('');
          document.dispatchEvent(new CustomEvent('apikeychange'));
        }
        resolve(false);
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
  return openKeyDialog;
}

// Picks another registered person (found by name) or, with allowNew, a new person by name. Resolves
// {person_id, name} for an existing person, {name, new: true} for a new one, or null when cancelled.
export function personPickerDialog({ title, text, excludeId, allowNew = false, confirmLabel = 'Continue' }) {
  return new Promise((resolve) => {
    const filter = h('input', { type: 'search', id: 'picker-filter', autocomplete: 'off', placeholder: 'Type a name', 'aria-label': 'Find a person by name' });
    const list = h('ul', { class: 'picker-list', id: 'picker-list', role: 'radiogroup', 'aria-label': 'People' });
    const newName = h('input', { id: 'picker-new-name', autocomplete: 'off', maxlength: 200, placeholder: 'Name of the new person', 'aria-label': 'Name of the new person' });
    const newChoice = h('input', { type: 'radio', name: 'picker', value: '__new__', id: 'picker-new' });
    const problem = h('p', { class: 'alert error', hidden: true, role: 'alert' });
    const ok = h('button', { type: 'submit', class: 'primary', value: 'ok', id: 'picker-ok' }, confirmLabel);
    const dialog = h('dialog', { class: 'dialog picker', 'aria-labelledby': 'picker-title', id: 'picker-dialog' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'picker-title' }, title),
        text ? h('p', {}, text) : null,
        h('label', { for: filter.id }, 'Registered person'),
        filter, list,
        allowNew ? h('div', { class: 'picker-new' }, h('label', { for: newChoice.id }, newChoice, ' A new person: '), newName) : null,
        problem,
        h('div', { class: 'actions reverse' }, ok,
          h('button', { type: 'submit', class: 'secondary', value: 'cancel', formnovalidate: true }, 'Cancel'))));
    let token = 0;
    let selected = ''; // kept when the list is redrawn for a new filter
    list.addEventListener('change', (e) => { selected = e.target.value; });
    newChoice.addEventListener('change', () => { selected = '__new__'; });
    const load = async () => {
      const mine = ++token;
      try {
        const page = await api.persons({ limit: 8, name: filter.value.trim() });
        if (mine !== token) return;
        const people = (page.persons || []).filter((p) => p.id !== excludeId);
        clear(list, people.length ? people.map((p) => h('li', {},
          h('label', { class: 'picker-person' },
            h('input', { type: 'radio', name: 'picker', value: p.id, checked: p.id === selected, dataset: { name: p.name } }),
            apiImage(p.crop_url, '', 'thumb small'),
            h('span', {}, p.name, p.external_id ? h('span', { class: 'muted small' }, ` · ${p.external_id}`) : null))))
          : h('li', { class: 'muted' }, 'Nobody found.'));
      } catch (_) {
        if (mine === token) clear(list, h('li', { class: 'muted' }, 'The list could not be loaded.'));
      }
    };
    filter.addEventListener('input', () => { clearTimeout(filter.timer); filter.timer = setTimeout(load, 250); });
    newName.addEventListener('input', () => { newChoice.checked = true; selected = '__new__'; });
    // Closing with "ok" needs a choice: say so instead of closing.
    dialog.querySelector('form').addEventListener('submit', (e) => {
      if (e.submitter?.value !== 'ok') return;
      const chosen = dialog.querySelector('input[name="picker"]:checked');
      const missing = !chosen ? 'Choose a person.' : chosen.value === '__new__' && !newName.value.trim() ? 'Enter the new person\'s name.' : '';
      if (missing) {
        e.preventDefault();
        problem.textContent = missing;
        problem.hidden = false;
      }
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      const chosen = dialog.querySelector('input[name="picker"]:checked');
      if (dialog.returnValue !== 'ok' || !chosen) return resolve(null);
      if (chosen.value === '__new__') return resolve({ name: newName.value.trim(), new: true });
      resolve({ person_id: chosen.value, name: chosen.dataset.name });
    });
    document.body.append(dialog);
    dialog.showModal();
    filter.focus();
    load();
  });
}
