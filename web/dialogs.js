// Modal dialogs built on <dialog> (focus trapping and Escape come from the browser): a confirmation for
// deletions and the API key prompt.
import { h } from './dom.js';
import { getApiKey, setApiKey } from './api.js';

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
