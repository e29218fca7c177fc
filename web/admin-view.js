// Administration (admin key only; the server refuses other keys with 403, shown here in plain words):
// API keys (create with a role, the new key shown once with a copy button, revoke), the audit log
// (filtered by action and key, paged with the API's cursor) and the retention clean-up (a dry run first,
// then the real run, each with its report).
import { api } from './api.js';
import { h, clear, busy, spinner, toast } from './dom.js';
import { describeError } from './messages.js';
import { confirmDialog } from './dialogs.js';

const ROLES = [
  ['operator', 'Operator: register, search, edit people'],
  ['searcher', 'Searcher: search and verify only'],
  ['auditor', 'Auditor: the audit log and the list of people'],
  ['admin', 'Admin: everything, keys included'],
];

export class AdminView {
  constructor() {
    this.keysBox = h('div', { id: 'admin-keys' });
    this.auditBox = h('div', { id: 'admin-audit' });
    this.cleanupBox = h('div', { id: 'admin-cleanup' });
    this.element = h('div', { class: 'admin' },
      h('h2', {}, 'Administration'),
      h('section', { class: 'card', 'aria-labelledby': 'keys-title' }, h('h3', { id: 'keys-title' }, 'API keys'), this.keysBox),
      h('section', { class: 'card', 'aria-labelledby': 'audit-title' }, h('h3', { id: 'audit-title' }, 'Audit log'), this.auditBox),
      h('section', { class: 'card', 'aria-labelledby': 'cleanup-title' }, h('h3', { id: 'cleanup-title' }, 'Clean-up (retention policy)'), this.cleanupBox));
    this.buildKeys();
    this.buildAudit();
    this.buildCleanup();
  }

  activate() {
    this.loadKeys();
    this.loadAudit(true);
  }

  deactivate() {}

  // ---- keys ----

  buildKeys() {
    this.keyName = h('input', { id: 'key-name', maxlength: 100, autocomplete: 'off', placeholder: 'e.g. reception desk' });
    this.keyRole = h('select', { id: 'key-role' }, ROLES.map(([value, label]) => h('option', { value }, label)));
    this.keyCreate = h('button', { type: 'submit', class: 'primary', id: 'key-create' }, 'Create key');
    this.newKey = h('div', { id: 'key-new', 'aria-live': 'polite' });
    this.keyList = h('table', { class: 'table', id: 'key-list' });
    clear(this.keysBox,
      h('form', { class: 'form inline-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); this.createKey(); } },
        h('label', { for: this.keyName.id }, 'Name'), this.keyName,
        h('label', { for: this.keyRole.id }, 'Role'), this.keyRole,
        this.keyCreate),
      this.newKey, this.keyList);
  }

  async loadKeys() {
    clear(this.keyList, h('caption', {}, spinner(), ' Loading…'));
    try {
      const out = await api.keys();
      const keys = out.keys || [];
      clear(this.keyList,
        h('thead', {}, h('tr', {}, ['Name', 'Role', 'Id', 'Created', 'State', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, keys.map((k) => h('tr', { dataset: { keyId: k.id } },
          h('td', {}, k.name), h('td', {}, k.role), h('td', { class: 'mono' }, k.id), h('td', {}, formatDate(k.created_at)),
          h('td', {}, k.revoked_at ? h('span', { class: 'badge' }, `revoked ${formatDate(k.revoked_at)}`) : h('span', { class: 'badge ok' }, 'active')),
          h('td', {}, k.revoked_at ? null : h('button', { type: 'button', class: 'secondary small revoke-key', onclick: (e) => this.revokeKey(k, e.currentTarget) }, 'Revoke'))))));
    } catch (err) {
      clear(this.keyList);
      this.showProblem(this.newKey, 'Could not load the keys', err);
    }
  }

  async createKey() {
    const name = this.keyName.value.trim();
    if (!name) {
      clear(this.newKey, h('p', { class: 'alert error', role: 'alert' }, 'Give the key a name (who or what uses it).'));
      this.keyName.focus();
      return;
    }
    await busy(this.keyCreate, 'Creating…', async () => {
      try {
        const out = await api.createKey(this.keyRole.value, name);
        const value = h('code', { class: 'secret', id: 'key-secret' }, out.key);
        const copy = h('button', { type: 'button', class: 'secondary small', id: 'key-copy', onclick: async () => {
          try {
            await navigator.clipboard.writeText(out.key);
            copy.textContent = 'Copied';
          } catch (_) {
            getSelection().selectAllChildren(value); // no clipboard permission: select it for Ctrl+C
            copy.textContent = 'Selected: press Ctrl+C';
          }
        } }, 'Copy');
        clear(this.newKey, h('div', { class: 'alert ok', role: 'status' },
          h('strong', {}, `Key “${out.name}” (${out.role}) created.`),
          h('p', {}, 'Copy it now: it is shown only this once (the server keeps only a hash).'),
          h('p', { class: 'secret-row' }, value, copy)));
        this.keyName.value = '';
        this.loadKeys();
      } catch (err) {
        this.showProblem(this.newKey, 'Could not create the key', err);
      }
    });
  }

  async revokeKey(key, button) {
    const ok = await confirmDialog({ title: `Revoke “${key.name}”?`, text: 'Every program using this key stops working at once. This cannot be undone.', confirmLabel: 'Revoke key' });
    if (!ok) return;
    await busy(button, 'Revoking…', async () => {
      try {
        await api.revokeKey(key.id);
        toast(`The key “${key.name}” was revoked.`);
        this.loadKeys();
      } catch (err) {
        this.showProblem(this.newKey, 'Could not revoke the key', err);
      }
    });
  }

  // ---- audit log ----

  buildAudit() {
    this.auditAction = h('input', { id: 'audit-action', autocomplete: 'off', placeholder: 'e.g. register, person.merge', maxlength: 64 });
    this.auditKey = h('input', { id: 'audit-key', autocomplete: 'off', placeholder: 'key id, e.g. k0123…', maxlength: 64 });
    this.auditTable = h('table', { class: 'table', id: 'audit-list' });
    this.auditMore = h('button', { type: 'button', class: 'secondary', id: 'audit-more', hidden: true, onclick: () => this.loadAudit(false) }, 'Older entries');
    this.auditStatus = h('div', {});
    clear(this.auditBox,
      h('form', { class: 'form inline-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); this.loadAudit(true); } },
        h('label', { for: this.auditAction.id }, 'Action'), this.auditAction,
        h('label', { for: this.auditKey.id }, 'Key'), this.auditKey,
        h('button', { type: 'submit', class: 'secondary', id: 'audit-filter' }, 'Filter')),
      this.auditStatus, this.auditTable, h('div', { class: 'center' }, this.auditMore));
  }

  async loadAudit(fresh) {
    if (fresh) {
      this.auditCursor = null;
      clear(this.auditTable, h('thead', {}, h('tr', {}, ['When', 'Action', 'Key', 'Status', 'Ids'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}));
    }
    clear(this.auditStatus);
    try {
      const page = await api.audit({ action: this.auditAction.value.trim(), keyId: this.auditKey.value.trim(), cursor: this.auditCursor });
      const rows = (page.entries || []).map((e) => h('tr', {},
        h('td', {}, formatDate(e.at)), h('td', { class: 'mono' }, e.action),
        h('td', {}, e.key_name, ' ', h('span', { class: 'muted small mono' }, e.key_id)),
        h('td', {}, String(e.status)),
        h('td', { class: 'mono small ids' }, [...(e.subject_ids || []), ...(e.result_ids || [])].filter((v, i, a) => a.indexOf(v) === i).join(' '))));
      this.auditTable.tBodies[0].append(...rows);
      if (fresh && !rows.length) this.auditStatus.append(h('p', { class: 'muted', id: 'audit-empty' }, 'No entries.'));
      this.auditCursor = page.next_cursor || null;
      this.auditMore.hidden = !this.auditCursor;
    } catch (err) {
      this.showProblem(this.auditStatus, 'Could not load the audit log', err);
    }
  }

  // ---- clean-up ----

  buildCleanup() {
    this.cleanupDry = h('button', { type: 'button', class: 'secondary', id: 'cleanup-dry-run', onclick: () => this.cleanup(true, this.cleanupDry) }, 'Dry run: what would go?');
    this.cleanupRun = h('button', { type: 'button', class: 'danger', id: 'cleanup-run', onclick: () => this.cleanup(false, this.cleanupRun) }, 'Run clean-up');
    this.cleanupReport = h('div', { id: 'cleanup-report', 'aria-live': 'polite' });
    clear(this.cleanupBox,
      h('p', { class: 'muted' }, 'Removes old photos and inactive people by the policy in the server\'s configuration ("retention"). A person\'s primary photo is never removed by it.'),
      h('div', { class: 'actions' }, this.cleanupDry, this.cleanupRun),
      this.cleanupReport);
  }

  async cleanup(dryRun, button) {
    if (!dryRun) {
      const ok = await confirmDialog({ title: 'Run the clean-up?', text: 'What the policy selects is deleted for good (photos and people). Run a dry run first to see what that is.', confirmLabel: 'Run clean-up' });
      if (!ok) return;
    }
    await busy(button, dryRun ? 'Checking…' : 'Cleaning up…', async () => {
      try {
        const report = await api.cleanup(dryRun);
        clear(this.cleanupReport, h('div', { class: `alert ${dryRun ? 'warn' : 'ok'}`, role: 'status' },
          h('strong', {}, dryRun ? 'Dry run: nothing was removed. The clean-up would remove:' : 'Clean-up done. Removed:'),
          // The counts; the ids removed are in the audit log (and in the API's answer).
          h('dl', { class: 'facts' }, Object.entries(report).filter(([k, v]) => typeof v === 'number' && /removed|reclaimed/.test(k))
            .map(([k, v]) => [h('dt', {}, k.replaceAll('_', ' ')), h('dd', {}, String(v))]))));
      } catch (err) {
        this.showProblem(this.cleanupReport, 'The clean-up failed', err);
      }
    });
  }

  showProblem(box, title, err) {
    const lines = err.status === 403 ? ['This screen needs an admin key. Enter one with the key button at the top.'] : describeError(err);
    clear(box, h('div', { class: 'alert error', role: 'alert' }, h('strong', {}, title), lines.map((l) => h('p', {}, l))));
  }
}

function formatDate(value) {
  if (!value) return '–';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
