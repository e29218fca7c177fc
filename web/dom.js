// Small DOM helpers: build elements without innerHTML (so names from the database are never parsed as
// HTML), load protected images through the API client, and announce status to screen readers.
import { api } from './api.js';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// An <img> whose bytes come from the API (with the key); shows a neutral placeholder until loaded.
export function apiImage(url, alt, className = '') {
  const img = h('img', { alt, class: `api-img loading ${className}`, decoding: 'async' });
  if (!url) {
    img.classList.replace('loading', 'missing');
    return img;
  }
  api
    .imageBlob(url)
    .then((blob) => {
      const objectUrl = URL.createObjectURL(blob);
      img.addEventListener('load', () => URL.revokeObjectURL(objectUrl), { once: true });
      img.src = objectUrl;
      img.classList.remove('loading');
    })
    .catch(() => img.classList.replace('loading', 'missing'));
  return img;
}

let liveRegion;
export function announce(text) {
  liveRegion = liveRegion || document.getElementById('live');
  if (liveRegion) liveRegion.textContent = text;
}

export function spinner() {
  return h('span', { class: 'spinner', 'aria-hidden': 'true' });
}

// Puts a button into its busy state while `work` runs.
export async function busy(button, label, work) {
  const original = [...button.childNodes];
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  clear(button, spinner(), label);
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.replaceChildren(...original);
  }
}

export function percent(value, digits = 0) {
  return `${Number(value).toFixed(digits)}%`;
}

// Inline line icons (no icon font or emoji font needed). Paths on a 24x24 grid.
const ICONS = {
  camera: 'M4 8h3l2-3h6l2 3h3v11H4z M12 17a4 4 0 1 0 0-8 4 4 0 0 0 0 8z',
  upload: 'M12 16V4 M7 9l5-5 5 5 M4 15v5h16v-5',
  key: 'M8 20a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M11 13l9-9 M16 8l3 3 M14 10l2 2',
};
export function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon-svg');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

// A short confirmation at the bottom of the screen (e.g. after a deletion), also read by screen readers.
export function toast(text) {
  let box = document.getElementById('toast');
  if (!box) {
    box = h('div', { id: 'toast', class: 'toast', role: 'status' });
    document.body.append(box);
  }
  box.textContent = text;
  box.hidden = false;
  clearTimeout(box.timer);
  box.timer = setTimeout(() => (box.hidden = true), 4000);
}
