// Where a photo comes from: the live camera (with the face box and a quality hint from POST /detect drawn
// over the preview, a few times a second) or a file chosen or dropped by the user. Shows the chosen photo
// as a still with an overlay on which callers draw face boxes.
import { api } from './api.js';
import { h, clear, icon } from './dom.js';
import { reasonHint } from './messages.js';

const DETECT_INTERVAL_MS = 400; // at most ~2.5 detections per second
const DETECT_WIDTH = 640; // frames are scaled down before detection: enough for the hint, cheap to send
const CAMERA_STORAGE = 'faceid.cameraId';

export class PhotoSource {
  // options: { id, onPhoto(file), onClear(), detectStill: bool, captureLabel }
  constructor(options) {
    this.options = options;
    this.mode = 'camera';
    this.stream = null;
    this.photo = null;
    this.origin = 'camera'; // where this.photo came from: 'camera' or 'file' (advice on refusals differs)
    this.active = false;
    this.detectTimer = null;
    this.detectAbort = null;
    this.build();
  }

  build() {
    const id = this.options.id;
    this.cameraTab = h('button', { type: 'button', role: 'tab', id: `${id}-tab-camera`, 'aria-controls': `${id}-camera`, onclick: () => this.setMode('camera') }, icon('camera'), 'Camera');
    this.uploadTab = h('button', { type: 'button', role: 'tab', id: `${id}-tab-upload`, 'aria-controls': `${id}-upload`, onclick: () => this.setMode('upload') }, icon('upload'), 'Upload');

    this.video = h('video', { autoplay: true, muted: true, playsinline: true, 'aria-label': 'Live camera preview' });
    this.video.muted = true;
    this.overlay = h('canvas', { class: 'overlay', 'aria-hidden': 'true' });
    this.hint = h('div', { class: 'hint', role: 'status', 'aria-live': 'polite' }, 'Starting camera…');
    this.cameraSelect = h('select', { id: `${id}-camera-select`, 'aria-label': 'Camera', onchange: () => this.switchCamera() });
    this.captureButton = h('button', { type: 'button', class: 'primary capture', id: `${id}-capture`, onclick: () => this.capture(), disabled: true }, this.options.captureLabel || 'Take photo');
    this.cameraMessage = h('p', { class: 'camera-message', hidden: true });
    this.stage = h('div', { class: 'stage' }, this.video, this.overlay, this.hint);
    this.cameraPanel = h('div', { id: `${id}-camera`, role: 'tabpanel', 'aria-labelledby': this.cameraTab.id, class: 'camera-panel' },
      this.stage,
      this.cameraMessage,
      h('div', { class: 'camera-controls' }, h('label', { class: 'camera-choice' }, h('span', { class: 'sr-only' }, 'Camera'), this.cameraSelect), this.captureButton));

    this.fileInput = h('input', { type: 'file', accept: 'image/*', id: `${id}-file`, class: 'sr-only', onchange: () => this.fileInput.files[0] && this.usePhoto(this.fileInput.files[0]) });
    this.dropzone = h('label', { class: 'dropzone', for: this.fileInput.id },
      h('span', { class: 'dropzone-icon' }, icon('upload')),
      h('strong', {}, 'Choose a photo'),
      h('span', {}, 'or drag and drop it here'),
      h('small', {}, 'JPEG, PNG, WebP or BMP'));
    this.fileInput.addEventListener('focus', () => this.dropzone.classList.add('focus'));
    this.fileInput.addEventListener('blur', () => this.dropzone.classList.remove('focus'));
    for (const type of ['dragenter', 'dragover']) {
      this.dropzone.addEventListener(type, (e) => { e.preventDefault(); this.dropzone.classList.add('dragging'); });
    }
    for (const type of ['dragleave', 'drop']) {
      this.dropzone.addEventListener(type, () => this.dropzone.classList.remove('dragging'));
    }
    this.dropzone.addEventListener('drop', (e) => {
      e.preventDefault();
      const file = [...(e.dataTransfer?.files || [])].find((f) => f.type.startsWith('image/')) || e.dataTransfer?.files?.[0];
      if (file) this.usePhoto(file);
    });
    this.uploadPanel = h('div', { id: `${id}-upload`, role: 'tabpanel', 'aria-labelledby': this.uploadTab.id, class: 'upload-panel' }, this.fileInput, this.dropzone);

    this.stillImage = h('img', { alt: 'The chosen photo' });
    this.stillOverlay = h('canvas', { class: 'overlay', 'aria-hidden': 'true' });
    this.stillHint = h('div', { class: 'hint', role: 'status', 'aria-live': 'polite', hidden: true });
    this.retakeButton = h('button', { type: 'button', class: 'secondary', id: `${id}-retake`, onclick: () => this.reset() }, 'Use another photo');
    this.stillPanel = h('div', { class: 'still-panel', hidden: true },
      h('div', { class: 'stage still' }, this.stillImage, this.stillOverlay, this.stillHint),
      h('div', { class: 'camera-controls' }, this.retakeButton));

    this.element = h('section', { class: 'photo-source', 'aria-label': 'Photo' },
      h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Photo source' }, this.cameraTab, this.uploadTab),
      this.cameraPanel, this.uploadPanel, this.stillPanel);
    window.addEventListener('resize', () => this.redraw());
    this.renderMode();
  }

  // Called by the page when the view becomes visible or hidden: the camera only runs while visible.
  activate() {
    this.active = true;
    if (this.mode === 'camera' && !this.photo) this.startCamera();
  }

  deactivate() {
    this.active = false;
    this.stopCamera();
  }

  setMode(mode) {
    this.mode = mode;
    this.photo = null;
    this.renderMode();
    if (mode === 'camera' && this.active) this.startCamera();
    else this.stopCamera();
    (mode === 'camera' ? this.cameraTab : this.uploadTab).focus();
  }

  renderMode() {
    const still = Boolean(this.photo);
    this.cameraTab.setAttribute('aria-selected', String(this.mode === 'camera'));
    this.uploadTab.setAttribute('aria-selected', String(this.mode === 'upload'));
    this.cameraPanel.hidden = still || this.mode !== 'camera';
    this.uploadPanel.hidden = still || this.mode !== 'upload';
    this.stillPanel.hidden = !still;
  }

  async startCamera() {
    if (this.stream) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      this.cameraFailed('The camera needs a secure page (https or localhost). Upload a photo instead.');
      return;
    }
    this.showCameraMessage('');
    this.hint.textContent = 'Starting camera…';
    this.hint.className = 'hint';
    const wanted = this.cameraSelect.value || localStorage.getItem(CAMERA_STORAGE);
    const video = { width: { ideal: 1280 }, height: { ideal: 720 } };
    if (wanted) video.deviceId = { exact: wanted };
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video, audio: false });
    } catch (err) {
      if (wanted && (err.name === 'OverconstrainedError' || err.name === 'NotFoundError')) {
        localStorage.removeItem(CAMERA_STORAGE);
        this.cameraSelect.value = '';
        return this.startCamera();
      }
      const denied = err.name === 'NotAllowedError' || err.name === 'SecurityError';
      this.cameraFailed(denied
        ? 'Camera permission was refused. Allow the camera in the browser, or upload a photo instead.'
        : err.name === 'NotFoundError' ? 'No camera was found. Upload a photo instead.'
        : 'The camera could not be started (is another program using it?). Upload a photo instead.');
      return;
    }
    if (!this.active || this.mode !== 'camera' || this.photo) {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    this.stream = stream;
    // Listen before attaching the stream: the metadata can arrive while the camera list is read.
    this.video.addEventListener('loadedmetadata', () => {
      if (this.stream !== stream) return;
      fitStage(this.stage, this.video.videoWidth, this.video.videoHeight);
      this.captureButton.disabled = false;
      this.hint.textContent = 'Looking for a face…';
      this.scheduleDetect(0);
    }, { once: true });
    this.video.srcObject = stream;
    await this.listCameras();
  }

  async listCameras() {
    const devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
    const current = this.stream?.getVideoTracks()[0]?.getSettings().deviceId;
    clear(this.cameraSelect, devices.map((d, i) => h('option', { value: d.deviceId }, d.label || `Camera ${i + 1}`)));
    if (current) this.cameraSelect.value = current;
    this.cameraSelect.parentElement.hidden = devices.length < 2;
  }

  switchCamera() {
    localStorage.setItem(CAMERA_STORAGE, this.cameraSelect.value);
    this.stopCamera();
    this.startCamera();
  }

  stopCamera() {
    clearTimeout(this.detectTimer);
    this.detectTimer = null;
    if (this.detectAbort) this.detectAbort.abort();
    this.detectAbort = null;
    if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.video.srcObject = null;
    this.captureButton.disabled = true;
    this.clearCanvas(this.overlay);
  }

  cameraFailed(message) {
    this.stopCamera();
    this.showCameraMessage(message);
    this.hint.textContent = 'No camera';
    this.mode = 'upload';
    this.renderMode();
    this.uploadPanel.prepend(this.cameraMessage);
  }

  showCameraMessage(text) {
    this.cameraMessage.textContent = text;
    this.cameraMessage.hidden = !text;
  }

  scheduleDetect(delay) {
    clearTimeout(this.detectTimer);
    this.detectTimer = setTimeout(() => this.detectFrame(), delay);
  }

  // One detection on a scaled-down frame; the next one is scheduled when this one is done.
  async detectFrame() {
    if (!this.stream || this.photo || document.hidden || !this.video.videoWidth) {
      if (this.stream) this.scheduleDetect(DETECT_INTERVAL_MS);
      return;
    }
    const started = performance.now();
    const scale = Math.min(1, DETECT_WIDTH / this.video.videoWidth);
    const frame = await this.grab(scale, 0.8);
    this.detectAbort = new AbortController();
    try {
      const result = await api.detect(frame, this.detectAbort.signal);
      if (!this.stream) return;
      this.lastDetection = { faces: result.faces || [], scale };
      this.drawDetection(this.overlay, this.video.videoWidth, this.video.videoHeight, result.faces || [], scale, this.hint);
    } catch (err) {
      if (err.name === 'AbortError' || !this.stream) return;
      if (err.code === 'no_face') this.drawDetection(this.overlay, this.video.videoWidth, this.video.videoHeight, [], scale, this.hint);
      else this.setHint(this.hint, 'Face check unavailable', 'warn');
    }
    this.scheduleDetect(Math.max(0, DETECT_INTERVAL_MS - (performance.now() - started)));
  }

  grab(scale, quality) {
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(this.video.videoWidth * scale);
    canvas.height = Math.round(this.video.videoHeight * scale);
    canvas.getContext('2d').drawImage(this.video, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve) => canvas.toBlob((blob) => resolve(new File([blob], 'camera.jpg', { type: 'image/jpeg' })), 'image/jpeg', quality));
  }

  drawDetection(canvas, width, height, faces, scale, hintEl) {
    const boxes = faces.map((f) => ({
      box: f.box.map((v) => v / scale),
      ok: f.quality ? f.quality.passed : true,
    }));
    this.drawBoxes(canvas, width, height, boxes);
    if (!faces.length) return this.setHint(hintEl, 'No face — look at the camera', 'warn');
    const largest = faces.reduce((a, b) => ((b.box[2] - b.box[0]) > (a.box[2] - a.box[0]) ? b : a));
    const reasons = largest.quality?.reasons || [];
    if (reasons.length) return this.setHint(hintEl, reasons.map(reasonHint).join(' · '), 'warn');
    if (faces.length > 1) return this.setHint(hintEl, `${faces.length} faces`, 'ok');
    this.setHint(hintEl, 'Looks good', 'ok');
  }

  setHint(el, text, kind) {
    el.hidden = false;
    el.textContent = text;
    el.className = `hint ${kind}`;
  }

  clearCanvas(canvas) {
    canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
  }

  // boxes: [{box: [x1,y1,x2,y2] in image pixels, ok: bool, label: string}]
  drawBoxes(canvas, width, height, boxes) {
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, width, height);
    const line = Math.max(2, Math.round(width / 320));
    for (const b of boxes) {
      const [x1, y1, x2, y2] = b.box;
      ctx.lineWidth = line;
      ctx.strokeStyle = b.ok === false ? '#f5a524' : b.color || '#2fbf71';
      ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
      if (b.label) {
        const size = Math.max(14, Math.round(width / 40));
        ctx.font = `700 ${size}px system-ui, sans-serif`;
        const pad = size * 0.3;
        const w = ctx.measureText(b.label).width + pad * 2;
        ctx.fillStyle = ctx.strokeStyle;
        ctx.fillRect(x1 - line / 2, Math.max(0, y1 - size - pad * 2), w, size + pad * 2);
        ctx.fillStyle = '#fff';
        ctx.fillText(b.label, x1 - line / 2 + pad, Math.max(size + pad, y1 - pad * 1.3));
      }
    }
    this.lastBoxes = { canvas, width, height, boxes };
  }

  redraw() {
    /* canvases scale with CSS; nothing to recompute */
  }

  async capture() {
    if (!this.stream || !this.video.videoWidth) return;
    const file = await this.grab(1, 0.92);
    const detection = this.lastDetection;
    this.usePhoto(file, detection, 'camera');
  }

  async usePhoto(file, detection, origin = 'file') {
    this.stopCamera();
    this.photo = file;
    this.origin = origin;
    this.fileInput.value = '';
    this.stillHint.hidden = true;
    this.stillImage.hidden = false;
    this.clearCanvas(this.stillOverlay);
    const url = URL.createObjectURL(file);
    const loaded = new Promise((resolve) => {
      this.stillImage.onload = resolve;
      this.stillImage.onerror = resolve;
    });
    if (this.stillUrl) URL.revokeObjectURL(this.stillUrl);
    this.stillUrl = url;
    this.stillImage.src = url;
    this.renderMode();
    await loaded;
    // A file the browser cannot show is still sent: the server says in plain words what is wrong with it.
    this.stillImage.hidden = !this.stillImage.naturalWidth;
    if (!this.stillImage.naturalWidth) this.setHint(this.stillHint, 'This file cannot be shown as a picture', 'warn');
    this.naturalWidth = this.stillImage.naturalWidth;
    this.naturalHeight = this.stillImage.naturalHeight;
    if (this.naturalWidth) fitStage(this.stillPanel.querySelector('.stage'), this.naturalWidth, this.naturalHeight);
    this.retakeButton.focus({ preventScroll: true });
    this.options.onPhoto?.(file);
    if (this.options.detectStill && this.naturalWidth) this.detectStill(file);
  }

  async detectStill(file) {
    this.setHint(this.stillHint, 'Checking the face…', '');
    try {
      const result = await api.detect(file);
      if (this.photo !== file) return;
      // A photo on its side is turned by the server to find the face: its boxes are in the turned photo,
      // so they are not drawn over the photo as shown; the hint says what the server will do.
      if (result.rotation) {
        this.drawBoxes(this.stillOverlay, this.naturalWidth, this.naturalHeight, []);
        return this.setHint(this.stillHint, `The photo is on its side: it is turned ${result.rotation}° to find the face`, 'ok');
      }
      this.drawDetection(this.stillOverlay, result.width || this.naturalWidth, result.height || this.naturalHeight, result.faces || [], 1, this.stillHint);
    } catch (err) {
      if (this.photo !== file) return;
      if (err.code === 'no_face') this.drawDetection(this.stillOverlay, this.naturalWidth, this.naturalHeight, [], 1, this.stillHint);
      else this.stillHint.hidden = true;
    }
  }

  // For callers (search) that draw their own boxes on the still, in the photo's pixels.
  showBoxes(boxes) {
    this.stillHint.hidden = true;
    this.drawBoxes(this.stillOverlay, this.naturalWidth, this.naturalHeight, boxes);
  }

  reset() {
    this.photo = null;
    this.renderMode();
    this.options.onClear?.();
    if (this.mode === 'camera' && this.active) this.startCamera();
    (this.mode === 'camera' ? this.captureButton : this.dropzone).focus?.();
    if (this.mode === 'upload') this.fileInput.focus();
  }
}

// Gives the stage the picture's proportions (so the overlay's pixels line up with the picture's) and keeps
// tall portrait photos within 70% of the window's height by narrowing the stage instead of cropping.
function fitStage(stage, width, height) {
  stage.style.aspectRatio = `${width} / ${height}`;
  stage.style.maxWidth = `calc(70vh * ${width} / ${height})`;
}
