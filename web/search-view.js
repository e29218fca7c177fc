// Search: a photo (camera or file) is searched with all_faces=true; each face in it gets its own card with
// the best match (primary face, name, similarity percentage and bar, other fields, and a one-click fix
// when the match is wrong) or "unknown person" with the closest people below the threshold; a details
// line says how the search decided (threshold, gallery size).
import { api } from './api.js';
import { h, clear, apiImage, announce, spinner, percent } from './dom.js';
import { describeError, reasonSentence } from './messages.js';
import { PhotoSource } from './photo-source.js';

export class SearchView {
  constructor() {
    this.source = new PhotoSource({
      id: 'search',
      captureLabel: 'Take photo and search',
      onPhoto: (file) => this.search(file),
      onClear: () => this.idle(),
    });
    this.results = h('div', { class: 'results', id: 'search-results', 'aria-live': 'polite' });
    this.element = h('div', { class: 'view-grid' },
      h('div', { class: 'col' }, this.source.element),
      h('div', { class: 'col' }, this.results));
    this.idle();
  }

  activate() { this.source.activate(); }
  deactivate() { this.source.deactivate(); }

  idle() {
    clear(this.results, h('div', { class: 'card empty' },
      h('h2', {}, 'Who is this?'),
      h('p', {}, 'Take a photo with the camera or upload one. Every face in the photo is checked against the registered people.')));
  }

  async search(file) {
    clear(this.results, h('div', { class: 'card loading-card', id: 'search-loading' }, spinner(), ' Searching…'));
    let out;
    try {
      out = await api.search(file, { allFaces: true, topK: 5 });
    } catch (err) {
      if (this.source.photo !== file) return;
      const lines = describeError(err, this.source.origin);
      clear(this.results, h('div', { class: 'alert error', role: 'alert' }, h('strong', {}, 'Search failed'), lines.map((l) => h('p', {}, l))));
      announce(`Search failed. ${lines.join(' ')}`);
      return;
    }
    // Decoded once here, so that every card is drawn with its face crop already in place.
    const bitmap = await createImageBitmap(file).catch(() => null);
    if (this.source.photo !== file) return; // a newer photo was chosen meanwhile
    const results = out.results || [];
    // Left-to-right order matches how people read a group photo.
    const ordered = results.map((r, i) => ({ ...r, original: i })).sort((a, b) => a.box[0] - b.box[0]);
    // A photo on its side was turned by the server to find the faces: its boxes are in the turned photo,
    // so they are not drawn over the photo as shown; the face crops are cut from the photo turned the same way.
    const rotation = results[0]?.rotation || 0;
    if (!rotation) this.source.showBoxes(ordered.map((r, i) => ({ box: r.box, label: String(i + 1), color: r.match ? '#2fbf71' : '#8a94a6' })));
    const usable = turnedLike(bitmap, rotation);
    const known = ordered.filter((r) => r.match).length;
    const summary = ordered.length === 1
      ? (known ? 'Match found' : 'Unknown person')
      : `${ordered.length} faces · ${known} recognised · ${ordered.length - known} unknown`;
    clear(this.results,
      h('h2', { class: 'results-title', id: 'search-summary' }, summary),
      rotation ? h('p', { class: 'note', id: 'search-rotation' }, `The photo was on its side: it was turned ${rotation}° to find the faces.`) : null,
      h('ol', { class: 'result-list' }, ordered.map((r, i) => h('li', {}, this.card(r, i + 1, usable)))),
      decisionLine(out.decision));
    bitmap?.close();
    announce(summary);
    // On a phone the results are below the photo: bring the first one into view.
    this.results.scrollIntoView({ block: 'nearest' });
  }

  card(result, number, bitmap) {
    const crop = h('canvas', { class: 'query-crop', role: 'img', 'aria-label': `Face ${number} from the photo` });
    if (bitmap) cropInto(crop, bitmap, result.box);
    const m = result.match;
    if (!m) {
      return h('article', { class: 'card result unknown', dataset: { face: number } },
        h('div', { class: 'result-faces' }, h('span', { class: 'face-no' }, number), crop, h('div', { class: 'unknown-avatar', 'aria-hidden': 'true' }, '?')),
        h('div', { class: 'result-body' },
          h('h3', {}, 'Unknown person'),
          h('p', { class: 'muted' }, 'No registered person matches this face closely enough.'),
          (result.quality?.reasons || []).length
            ? h('p', { class: 'note' }, 'This face is hard to recognise: ', result.quality.reasons.map((r) => reasonSentence(r, this.source.origin)).join(' '))
            : null,
          this.candidates(result.candidates, null)));
    }
    const p = m.person;
    const pct = Math.max(0, Math.min(100, Number(m.percentage)));
    return h('article', { class: 'card result match', dataset: { face: number } },
      h('div', { class: 'result-faces' }, h('span', { class: 'face-no' }, number), crop, apiImage(m.crop_url || p.crop_url, `Stored face of ${p.name}`, 'primary-photo')),
      h('div', { class: 'result-body' },
        h('h3', {}, h('a', { href: `#/person/${encodeURIComponent(p.id)}` }, p.name)),
        h('div', { class: 'similarity' },
          h('span', { class: 'pct' }, percent(pct, 1)), h('span', { class: 'muted' }, ' likely this person'),
          h('div', { class: 'bar', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct.toFixed(1), 'aria-label': 'Probability that this is the person' },
            h('span', { style: { width: `${pct}%` }, class: pct >= 80 ? 'high' : pct >= 60 ? 'mid' : 'low' }))),
        h('dl', { class: 'facts' },
          p.external_id ? [h('dt', {}, 'External ID'), h('dd', {}, p.external_id)] : null,
          Object.entries(p.metadata || {}).map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))])),
        // A wrong match usually means a wrong photo among this person's: open it with the fix ready.
        m.face_id && m.crop_url
          ? h('a', { class: 'button secondary small fix-match', href: `#/person/${encodeURIComponent(p.id)}/fix/${encodeURIComponent(m.face_id)}` }, `Not ${p.name}? Fix it`)
          : null,
        this.candidates(result.candidates, p.id)));
  }

  // For an unknown face the closest people are shown open (flagged: none reached the threshold); for a
  // match, other possible people are folded away.
  candidates(list, matchId) {
    const others = (list || []).filter((c) => c.person && c.person.id !== matchId).slice(0, 3);
    if (!others.length) return null;
    const items = h('ul', { class: 'candidate-list' }, others.map((c) => h('li', { class: 'candidate' },
      c.crop_url ? apiImage(c.crop_url, '', 'thumb small') : null,
      h('a', { href: `#/person/${encodeURIComponent(c.person.id)}` }, c.person.name), ' ',
      h('span', { class: 'muted' }, percent(c.percentage, 1)),
      c.below_threshold ? h('span', { class: 'badge warn below' }, 'below the threshold') : null)));
    if (matchId) return h('details', { class: 'candidates' }, h('summary', {}, 'Other possible matches'), items);
    return h('div', { class: 'candidates open' },
      h('p', { class: 'candidates-title' }, 'Closest people, not close enough to be a match:'), items);
  }
}

// "Decided at similarity ≥ 0.46 for a gallery of 120 photos (aiming at 1% false matches)".
function decisionLine(d) {
  if (!d) return null;
  const basis = d.basis === 'target_fpir' && d.target_fpir !== undefined
    ? ` (aiming at ${percent(d.target_fpir * 100, d.target_fpir < 0.01 ? 1 : 0)} false matches among strangers)`
    : d.basis === 'configured' ? ' (set by the administrator)' : d.basis === 'requested' ? ' (asked for in the request)' : '';
  const size = d.gallery_templates ?? 0;
  return h('p', { class: 'muted small decision', id: 'search-decision' },
    `Decision: a match needs similarity ≥ ${Number(d.threshold).toFixed(2)}, for a gallery of ${size} ${size === 1 ? 'photo' : 'photos'}${basis}.`);
}

// Cuts the face (with a margin) out of the searched photo, so each card shows which face it is about.
// The photo turned `degrees` clockwise as the server turned it (a canvas, which drawImage takes like a bitmap).
function turnedLike(bitmap, degrees) {
  if (!bitmap || !degrees) return bitmap;
  const quarter = degrees % 180 !== 0;
  const canvas = document.createElement('canvas');
  canvas.width = quarter ? bitmap.height : bitmap.width;
  canvas.height = quarter ? bitmap.width : bitmap.height;
  const ctx = canvas.getContext('2d');
  ctx.translate(canvas.width / 2, canvas.height / 2);
  ctx.rotate((degrees * Math.PI) / 180);
  ctx.drawImage(bitmap, -bitmap.width / 2, -bitmap.height / 2);
  return canvas;
}

function cropInto(canvas, bitmap, box) {
  const [x1, y1, x2, y2] = box;
  const size = Math.max(x2 - x1, y2 - y1) * 1.3;
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2;
  canvas.width = 160;
  canvas.height = 160;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#e9edf3';
  ctx.fillRect(0, 0, 160, 160);
  ctx.drawImage(bitmap, cx - size / 2, cy - size / 2, size, size, 0, 0, 160, 160);
}
