// Plain-language text for the API's quality reasons and error codes: what happened and what to do. The
// advice follows where the photo came from: the camera (hold still, move closer) or a file (choose another).

export const REASONS = {
  LOW_SHARPNESS: {
    hint: 'Hold still',
    text: 'The photo is blurry.',
    action: 'Hold the camera still, wait for focus, then take the photo again.',
    fileAction: 'Choose a sharper photo (not a screenshot of a small picture).',
  },
  SMALL_FACE: {
    hint: 'Move closer',
    text: 'The face is too small in the photo.',
    action: 'Move closer to the camera so the face fills more of the picture.',
    fileAction: 'Choose a photo where the face is larger, or crop the photo around the face.',
  },
  EXTREME_POSE: {
    hint: 'Look at the camera',
    text: 'The head is turned or tilted too much.',
    action: 'Face the camera directly, with the head straight.',
    fileAction: 'Choose a photo where the person looks straight at the camera.',
  },
  LOW_CONFIDENCE: {
    hint: 'Face not clear',
    text: 'The face is hard to make out.',
    action: 'Remove anything covering the face (hat, hand, mask) and try again.',
    fileAction: 'Choose a photo where the whole face is visible, without a hat, hand or mask over it.',
  },
  TOO_DARK: {
    hint: 'Too dark',
    text: 'The photo is too dark.',
    action: 'Add light in front of the face, or move away from a bright window behind.',
    fileAction: 'Choose a brighter photo of the face.',
  },
  TOO_BRIGHT: {
    hint: 'Too bright',
    text: 'The photo is too bright.',
    action: 'Avoid direct sunlight or flash on the face.',
    fileAction: 'Choose a photo without sunlight or flash glare on the face.',
  },
  NOT_LIVE: {
    hint: 'Not a live face?',
    text: 'The face does not look like a live person (a photo of a photo or a screen?).',
    action: 'Use the real person in front of the camera.',
    fileAction: 'Use a photo taken of the person, not of a screen or a print.',
  },
};

export function reasonHint(code) {
  return REASONS[code] ? REASONS[code].hint : code;
}

// source: 'camera' or 'file' (the advice differs: no "hold the camera still" for a file).
export function reasonSentence(code, source = 'camera') {
  const r = REASONS[code];
  if (!r) return `Quality check failed (${code}).`;
  return `${r.text} ${source === 'file' ? r.fileAction : r.action}`;
}

const ERRORS = {
  no_face: 'No face was found. Make sure the whole face is visible, lit from the front and looking at the camera.',
  no_face_file: 'No face was found in this photo. Choose a photo where the whole face is visible and lit from the front.',
  not_an_image: 'That file is not a photo. Choose a JPEG, PNG, WebP or BMP picture.',
  unsupported_format: 'This picture format is not supported. Use a JPEG, PNG, WebP or BMP photo.',
  unsupported_media_type: 'That file is not a photo. Choose a JPEG, PNG, WebP or BMP picture.',
  corrupt_image: 'The photo seems damaged or incomplete. Take the photo again or choose another file.',
  empty_image: 'The photo is empty. Take the photo again or choose another file.',
  payload_too_large: 'The photo file is too large. Use a smaller photo (a phone photo resized to a few megabytes works).',
  image_too_large: 'The photo has too many pixels. Use a smaller photo.',
  possible_duplicate: 'This face looks like someone who is already registered.',
  face_index_out_of_range: 'There are fewer faces in the photo than expected. Take the photo again.',
  orientation_unclear: 'The face is only found when the photo is turned, and which way is up is unclear. Turn the photo upright and try again.',
  not_live: 'The face does not look like a live person (a photo of a photo or a screen?). Use the real person.',
  face_mismatch: 'This face does not match the person it was added to. Add the photo to the right person, or register it as someone new.',
  threshold_below_floor: 'Only an administrator may search with a threshold that low.',
  json_too_deep: 'The extra details are nested too deeply. Use a flat list of fields.',
  json_too_large: 'The extra details hold too many values. Keep only the fields you need.',
  image_too_complex: 'This photo is encoded in an unusual way that takes too long to read. Save it again as an ordinary JPEG or PNG.',
  time_budget_exceeded: 'This photo takes too long to analyse (very large, or very many faces). Try a smaller photo or a crop around the face.',
  insufficient_storage: 'The server has run out of disk space. Tell the administrator.',
  missing_field: 'Something required is missing.',
  invalid_field: 'One of the fields has a value that is not accepted.',
  bad_request: 'The request was not understood.',
  not_found: 'This record no longer exists. It may have been deleted.',
  conflict: 'This conflicts with what is already stored.',
  unauthorized: 'An API key is needed. Enter it with the key button at the top.',
  forbidden: 'Your API key is not allowed to do this. Ask an administrator for a key with more rights.',
  rate_limited: 'Too many requests at once. Wait a moment and try again.',
  unavailable: 'The service is starting or busy. Try again in a moment.',
  network: 'The server cannot be reached. Check the connection and try again.',
};

// A friendly description of an ApiError (or any error) as a list of sentences; source as in reasonSentence.
export function describeError(err, source = 'camera') {
  if (err && err.code === 'quality_gate_failed') {
    const reasons = (err.details && err.details.reasons) || [];
    if (reasons.length) return reasons.map((r) => reasonSentence(r, source));
    return [source === 'file' ? 'The photo is not good enough. Choose another one.' : 'The photo is not good enough. Take it again.'];
  }
  if (err && err.code === 'no_face' && source === 'file') return [ERRORS.no_face_file];
  if (err && err.code === 'possible_duplicate') {
    const d = err.details || {};
    const who = (d.person && d.person.name) || d.name;
    const base = who ? `This face looks like ${who}, who is already registered.` : ERRORS.possible_duplicate;
    return [base, 'To add this photo to that person, open them in the Gallery and use “Add a photo”. Otherwise check the photo.'];
  }
  if (err && ERRORS[err.code]) {
    const extra = err.code === 'invalid_field' || err.code === 'missing_field' ? err.message : '';
    return extra ? [ERRORS[err.code], extra] : [ERRORS[err.code]];
  }
  if (err && err.status >= 500) return ['The server had a problem. Try again; if it keeps happening, tell the administrator.'];
  return [(err && err.message) || 'Something went wrong. Try again.'];
}

export function qualityLabel(score) {
  if (score === undefined || score === null) return '–';
  const pct = score <= 1 ? Math.round(score * 100) : Math.round(score);
  return `${pct}%`;
}
