// The page: a hash router over its views (search, register, gallery, person, duplicates review, import,
// administration) and the API key button.
import { api, onKeyRequired, getApiKey } from './api.js';
import { keyDialog } from './dialogs.js';
import { RegisterView } from './register-view.js';
import { SearchView } from './search-view.js';
import { GalleryView } from './gallery-view.js';
import { PersonView } from './person-view.js';
import { DuplicatesView } from './duplicates-view.js';
import { ImportView } from './import-view.js';
import { AdminView } from './admin-view.js';

const main = document.getElementById('main');
const views = {
  search: new SearchView(),
  register: new RegisterView({}),
  gallery: new GalleryView(),
  person: new PersonView(),
  duplicates: new DuplicatesView(),
  import: new ImportView(),
  admin: new AdminView(),
};
const TITLES = { search: 'Search', register: 'Register', gallery: 'Gallery', person: 'Person', duplicates: 'Duplicates', import: 'Import', admin: 'Administration' };
for (const [name, view] of Object.entries(views)) {
  view.element.id = view.element.id || `view-${name}`;
  view.element.hidden = true;
  view.element.classList.add('view');
  main.append(view.element);
}

let current = null;
function route() {
  const [, name = 'search', arg] = location.hash.match(/^#\/([a-z]+)(?:\/(.+))?$/) || [];
  const viewName = views[name] ? name : 'search';
  const view = views[viewName];
  if (current && current !== view) {
    current.deactivate();
    current.element.hidden = true;
  }
  view.element.hidden = false;
  current = view;
  for (const link of document.querySelectorAll('nav a[data-view]')) {
    const on = link.dataset.view === viewName || (viewName === 'person' && link.dataset.view === 'gallery');
    if (on) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${TITLES[viewName]} · Face ID Boom`;
  if (viewName === 'person') view.show(decodeURIComponent(arg || ''));
  view.activate();
}

const keyButton = document.getElementById('key-button');
function showKeyState() {
  keyButton.classList.toggle('has-key', Boolean(getApiKey()));
  keyButton.setAttribute('aria-label', getApiKey() ? 'API key (set)' : 'API key (not set)');
}
keyButton.addEventListener('click', () => keyDialog());
document.addEventListener('apikeychange', showKeyState);

// Links to screens the key's role may not use are hidden (data-roles on the nav links, as the server's
// route table allows them). The server still refuses such calls with 403: this only spares a user the
// screens that would answer "not allowed". While the role is unknown (no key yet) every link shows.
async function showLinksForRole() {
  let role = '';
  try {
    role = (await api.keySelf()).role || '';
  } catch (_) {
    role = '';  // no key or a wrong one: the key dialog appears when a screen needs it
  }
  for (const link of document.querySelectorAll('nav a[data-roles]')) {
    link.hidden = Boolean(role) && !link.dataset.roles.split(' ').includes(role);
  }
  document.body.dataset.role = role;
}
document.addEventListener('apikeychange', showLinksForRole);
showLinksForRole();
onKeyRequired((reason) => keyDialog(reason));
showKeyState();

window.addEventListener('hashchange', route);
document.addEventListener('visibilitychange', () => {
  if (!current) return;
  if (document.hidden) current.deactivate();
  else current.activate();
});
route();
