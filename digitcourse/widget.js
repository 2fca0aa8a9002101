// The draw-a-digit widget of digitcourse (digitcourse/widget.py puts this script in the page).
// The course's network runs in the page with ONNX Runtime Web; no Python kernel is involved.
// Before the network sees the drawing, it goes through the steps of digitcourse.handwriting.to_mnist,
// each named below by the Python function it mirrors, for what this canvas holds: light strokes on
// an opaque black background, the way MNIST stores digits.
(async () => {
  const root = document.getElementById("__WIDGET_ID__");
  const config = JSON.parse(root.querySelector(".dc-config").textContent);
  const canvas = root.querySelector(".dc-canvas");
  const pen = canvas.getContext("2d", { willReadFrequently: true });
  const inputView = root.querySelector(".dc-input").getContext("2d");
  const status = root.querySelector(".dc-status");
  const bars = Array.from(root.querySelectorAll(".dc-bar"));
  const W = canvas.width, H = canvas.height;
  // What the tests (and a curious reader's console) can look at: the network's last input and output.
  // Timings in milliseconds (performance.now()): library loaded, network ready, last prediction's duration.
  const state = (root.digitcourse = { ready: false, input: null, probs: null, top: null, predictions: 0, timings: {} });
  // The steps that a drawing rarely exercises, for the tests to compare with Python's on any image.
  state.steps = { removeLines: (values, w, h) => Array.from(removeLines({ data: Float32Array.from(values), w, h }).data) };

  // ---- drawing: mouse, pen and touch alike, through pointer events ----
  function clear() {
    pen.fillStyle = "#000";
    pen.fillRect(0, 0, W, H);
    inputView.clearRect(0, 0, 28, 28);
    bars.forEach((bar) => { bar.style.width = "0%"; bar.parentElement.classList.remove("dc-top"); });
    Object.assign(state, { input: null, probs: null, top: null });
    status.textContent = state.ready ? "Draw one digit, or choose an image file." : status.textContent;
  }
  clear();
  let last = null;
  function point(event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * (W / box.width), (event.clientY - box.top) * (H / box.height)];
  }
  canvas.addEventListener("pointerdown", (event) => {
    canvas.setPointerCapture(event.pointerId);
    last = point(event);
    pen.beginPath();
    pen.arc(last[0], last[1], config.penWidth / 2, 0, 2 * Math.PI);
    pen.fillStyle = "#fff";
    pen.fill();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (last === null) return;
    const next = point(event);
    Object.assign(pen, { strokeStyle: "#fff", lineWidth: config.penWidth, lineCap: "round", lineJoin: "round" });
    pen.beginPath();
    pen.moveTo(...last);
    pen.lineTo(...next);
    pen.stroke();
    last = next;
  });
  const penUp = () => { if (last !== null) { last = null; predict(); } };
  canvas.addEventListener("pointerup", penUp);
  canvas.addEventListener("pointercancel", penUp);
  root.querySelector(".dc-clear").addEventListener("click", () => { clear(); fileInput.value = ""; });
  root.querySelector(".dc-predict").addEventListener("click", () => predict());

  // ---- an image file instead of a drawing (the keyboard's way in) ----
  // The chosen image is put on the canvas as this canvas holds a drawing: its longest side fitted
  // to the canvas, grey light ink on black. On the way, the first steps of to_mnist that the canvas
  // skips: to_grayscale (Pillow's "L" weights; transparent pixels over a background that contrasts
  // with the opaque ones), fix_polarity (the border decides, by Otsu's threshold; where it is split,
  // the corners of a two-level image or else the median), remove_lines (a
  // notebook's ruling, below) and, in place of subtract_background, the removal of the background's
  // typical level (the median; the darkest level of a two-level image, as _two_level decides), so
  // that clean paper becomes the canvas's black. A photo with uneven light reads better in Python
  // (chapter 7).
  const fileInput = root.querySelector(".dc-file");
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files[0];
    if (!file) return;
    try {
      putImageOnCanvas(await createImageBitmap(file)); // EXIF orientation applied, as load_image does
    } catch (error) {
      status.textContent = `${file.name} could not be read as an image (${error.message}); choose a PNG or JPEG file.`;
      return;
    }
    predict();
  });
  function putImageOnCanvas(bitmap) {
    const scale = Math.min(W / bitmap.width, H / bitmap.height);
    const w = Math.max(1, Math.round(bitmap.width * scale)), h = Math.max(1, Math.round(bitmap.height * scale));
    const fitted = Object.assign(document.createElement("canvas"), { width: w, height: h })
      .getContext("2d", { willReadFrequently: true });
    fitted.imageSmoothingQuality = "high";
    fitted.drawImage(bitmap, 0, 0, w, h);
    const rgba = fitted.getImageData(0, 0, w, h).data;
    let gray = new Float32Array(w * h);
    const alpha = new Float32Array(w * h);
    for (let i = 0; i < gray.length; i++) {
      gray[i] = ((rgba[4 * i] * 19595 + rgba[4 * i + 1] * 38470 + rgba[4 * i + 2] * 7471 + 0x8000) >> 16) / 255;
      alpha[i] = rgba[4 * i + 3] / 255;
    }
    const median = (values) => {
      const sorted = Float32Array.from(values).sort();
      return sorted.length ? sorted[sorted.length >> 1] : 0;
    };
    const opaque = gray.filter((_, i) => alpha[i] > 0.5);
    const behind = !opaque.length || median(opaque) < 0.5 ? 1 : 0;
    gray = gray.map((v, i) => alpha[i] * v + (1 - alpha[i]) * behind);
    const border = [];
    for (let x = 0; x < w; x++) border.push(gray[x], gray[(h - 1) * w + x]);
    for (let y = 1; y < h - 1; y++) border.push(gray[y * w], gray[y * w + w - 1]);
    const cut = otsu(gray), light = border.filter((v) => v > cut).length / border.length;
    const corners = [0, w - 1, (h - 1) * w, h * w - 1].filter((i) => gray[i] > cut).length / 4;
    let inverted;
    if (light >= 2 / 3 || light <= 1 / 3) inverted = light >= 2 / 3;
    else if (corners !== 0.5 && twoLevel(gray) >= TWO_LEVEL) inverted = corners > 0.5; // a bold digit filling a binarized scan
    else inverted = median(gray) > 0.5;
    if (inverted) gray = gray.map((v) => 1 - v);
    gray = removeLines({ data: gray, w, h }).data;
    const background = twoLevel(gray) >= TWO_LEVEL ? gray.reduce((a, b) => Math.min(a, b)) : median(gray);
    const image = fitted.createImageData(w, h);
    gray.forEach((v, i) => {
      const level = Math.round(255 * Math.max(v - background, 0));
      image.data.set([level, level, level, 255], 4 * i);
    });
    clear();
    const left = Math.floor((W - w) / 2), top = Math.floor((H - h) / 2);
    pen.putImageData(image, left, top);
  }

  // ---- preprocessing: digitcourse.handwriting, step by step ----
  const roundHalfEven = (x) => { const r = Math.round(x); return Math.abs(x % 1) === 0.5 && r % 2 ? r - 1 : r; };

  // to_grayscale: Pillow's "L" brightness in [0, 1]. The canvas is opaque and its colours are greys
  // (R = G = B), whose brightness is R; 280 px lies within the working size, so nothing is resized.
  function toGrayscale() {
    const rgba = pen.getImageData(0, 0, W, H).data;
    const gray = new Float32Array(W * H);
    for (let i = 0; i < gray.length; i++) gray[i] = rgba[4 * i] / 255;
    return gray;
  }

  // remove_lines: a notebook page's printed lines removed, the strokes that cross them kept. Images
  // are { data: Float32Array, w, h }; every value is rounded to float32 after each operation, as
  // NumPy computes on float32 arrays, so that the page and Python agree to the last bit.
  const f32 = Math.fround;
  const image2d = (w, h, fill = 0) => ({ data: new Float32Array(w * h).fill(fill), w, h });
  function transpose({ data, w, h }) {
    const out = image2d(h, w);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.data[x * h + y] = data[y * w + x];
    return out;
  }
  // scipy.ndimage.minimum_filter1d / maximum_filter1d along one row of `length` values read at
  // start + k * step: the window of output i is i - size // 2 .. i + size - 1 - size // 2; values
  // beyond the row are `outside` (mode="constant"), or mirrored if it is null (mode="reflect":
  // d c b a | a b c d | d c b a). A queue of candidates keeps the window's extreme at its head.
  let queueAt = new Int32Array(0), queueValue = new Float32Array(0);
  function filter1d(src, dst, start, step, length, size, isMax, outside) {
    if (queueAt.length < length + size) [queueAt, queueValue] = [new Int32Array(length + size), new Float32Array(length + size)];
    const before = size >> 1, after = size - 1 - before;
    const at = (k) => (k >= 0 && k < length ? src[start + k * step]
      : outside !== null ? outside : src[start + (k < 0 ? -k - 1 : 2 * length - k - 1) * step]);
    let head = 0, tail = 0; // the queue: positions whose values could still be a window's extreme
    for (let k = -before; k < length + after; k++) {
      const v = at(k);
      while (tail > head && (isMax ? queueValue[tail - 1] <= v : queueValue[tail - 1] >= v)) tail--;
      queueAt[tail] = k; queueValue[tail++] = v;
      const i = k - after; // the output whose window ends at k
      if (i < 0) continue;
      while (queueAt[head] < i - before) head++;
      dst[start + i * step] = queueValue[head];
    }
  }
  // One filter along the rows (axis 1) or the columns (axis 0) of an image.
  function filterAlong(image, axis, size, isMax, outside) {
    const out = image2d(image.w, image.h);
    if (axis === 1) for (let y = 0; y < image.h; y++) filter1d(image.data, out.data, y * image.w, 1, image.w, size, isMax, outside);
    else for (let x = 0; x < image.w; x++) filter1d(image.data, out.data, x, image.w, image.h, size, isMax, outside);
    return out;
  }
  const lowest = (a, b) => Math.min(a, b), highest = (a, b) => Math.max(a, b);
  function combine(a, b, op) { // op applied pixel by pixel; storing in a Float32Array rounds to float32
    const out = image2d(a.w, a.h), x = a.data, y = b.data, z = out.data;
    for (let i = 0; i < z.length; i++) z[i] = op(x[i], y[i]);
    return out;
  }
  const LINE = { length: 0.6, width: 7, tilt: 8.0, contrast: f32(0.03), slack: 3.0, full: 0.9, fan: 0.5, peak: 0.3 };

  // _tilts: every quarter of a degree within +-8, the sharpness of the projection profile (every
  // fourth column) of what is thinner than 15 rows (the image less its opening down the columns,
  // mirrored at the edges); the sharpest angle, and where it stands out (the least sharp at most 0.3
  // as sharp), the run of angles around it at least half as sharp (perspective fans the lines out),
  // the sharpest first, and then the tilts of the top and bottom halves (their lines fan out less);
  // unless the run shears the far end by 7 pixels at most (one straight line's own peak).
  function tiltsOf(image, halves = true) {
    const size = 2 * LINE.width + 1, { w, h } = image;
    const opened = filterAlong(filterAlong(image, 0, size, false, null), 0, size, true, null);
    const { data } = combine(image, opened, (a, b) => a - b);
    const sharpness = (angle) => {
      const tan = Math.tan(angle * (Math.PI / 180)), shifts = [];
      let low = Infinity, high = -Infinity;
      for (let x = 0; x < w; x += 4) { const s = roundHalfEven(x * tan); shifts.push(s); low = Math.min(low, -s); high = Math.max(high, h - 1 - s); }
      const bins = new Float64Array(high - low + 1);
      for (let y = 0; y < h; y++) for (let k = 0, x = 0; x < w; k++, x += 4) bins[y - shifts[k] - low] += data[y * w + x];
      let sum = 0;
      for (let k = 1; k < bins.length; k++) sum += (bins[k] - bins[k - 1]) ** 2;
      return sum;
    };
    const angles = Array.from({ length: 8 * LINE.tilt + 1 }, (_, k) => k / 4 - LINE.tilt);
    const scores = angles.map(sharpness), top = Math.max(...scores), best = scores.indexOf(top); // the first, as argmax
    if (Math.min(...scores) >= LINE.peak * top) return [angles[best]];
    let first = best, last = best;
    while (first > 0 && scores[first - 1] >= LINE.fan * top) first--;
    while (last < angles.length - 1 && scores[last + 1] >= LINE.fan * top) last++;
    const drift = w * (Math.tan(angles[last] * (Math.PI / 180)) - Math.tan(angles[first] * (Math.PI / 180)));
    if (drift <= LINE.width) return [angles[best]]; // the far end sheared by a line's width at most: one tilt's peak
    const run = Array.from({ length: last - first + 1 }, (_, k) => first + k);
    const fan = run.sort((a, b) => scores[b] - scores[a]).map((k) => angles[k]); // the sharpest first (a stable sort)
    if (!halves) return fan;
    const half = Math.floor(h / 2); // the top and bottom halves' own tilts: each half's lines fan out less
    for (const part of [{ data: image.data.slice(0, half * w), w, h: half }, { data: image.data.slice(half * w), w, h: h - half }]) {
      for (const angle of tiltsOf(part, false)) if (!fan.includes(angle)) fan.push(angle);
    }
    return fan;
  }

  // _open_along: a grey opening along segments `length` long at `tilt` degrees: shear the columns so
  // that the lines run along the rows, a maximum over 3 rows, a minimum then a maximum along the
  // rows (outside the image: line for the minimum, nothing for the maximum), shear back.
  function openAlong(image, tilt, length) {
    const { data, w, h } = image, tan = Math.tan(tilt * (Math.PI / 180));
    const shifts = Array.from({ length: w }, (_, x) => roundHalfEven(x * tan));
    const low = Math.min(...shifts);
    shifts.forEach((s, x) => { shifts[x] = s - low; });
    const most = Math.max(...shifts), sheared = image2d(w, h + most), inside = new Uint8Array(w * (h + most));
    for (let y = 0; y < h + most; y++) for (let x = 0; x < w; x++) {
      const row = y - most + shifts[x];
      inside[y * w + x] = row >= 0 && row < h;
      sheared.data[y * w + x] = inside[y * w + x] ? data[row * w + x] : 1;
    }
    const eroded = filterAlong(filterAlong(sheared, 0, 3, true, null), 1, length, false, 1);
    eroded.data.forEach((_, i) => { if (!inside[i]) eroded.data[i] = 0; });
    const opened = filterAlong(eroded, 1, length, true, 0), out = image2d(w, h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.data[y * w + x] = opened.data[(y + most - shifts[x]) * w + x];
    return out;
  }

  // _beside: the paper on either side of a line along the rows, the lowest of the 4 pixels starting
  // 4 rows above and of the 4 starting 4 rows below, whichever is higher (0 beyond the image).
  function beside({ data, w, h }) {
    const gap = (LINE.width + 2) >> 1, out = image2d(w, h);
    const least = (y, x) => Math.min(data[y * w + x], data[(y + 1) * w + x], data[(y + 2) * w + x], data[(y + 3) * w + x]);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const above = y >= gap + 3 ? least(y - gap - 3, x) : 0, below = y + gap + 3 < h ? least(y + gap, x) : 0;
      out.data[y * w + x] = Math.max(above, below);
    }
    return out;
  }

  // scipy.ndimage.label (4-neighbours): the label of each pixel of `mask` (w pixels a row), and each
  // label's size in pixels and its first and last columns (index 0: the background).
  function label(mask, w) {
    const labels = new Int32Array(mask.length), sizes = [0], spans = [null];
    for (let start = 0; start < mask.length; start++) {
      if (!mask[start] || labels[start]) continue;
      const number = sizes.length, stack = [start], span = [Infinity, -Infinity];
      labels[start] = number;
      let size = 0;
      while (stack.length) {
        const i = stack.pop(), x = i % w;
        size++;
        span[0] = Math.min(span[0], x); span[1] = Math.max(span[1], x);
        for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w]) {
          if (j >= 0 && j < mask.length && mask[j] && !labels[j]) { labels[j] = number; stack.push(j); }
        }
      }
      sizes.push(size);
      spans.push(span);
    }
    return { labels, sizes, spans };
  }

  // _find_lines: for the lines along the rows of `images` (the image and its transpose) given their
  // openings, the most lines of one direction across 0.9 of the image, and per direction the
  // contrast to subtract, the paper's level and the lines' labels.
  function findLines(images, opened) {
    const positive = (v) => Math.max(v, 0);
    const candidates = opened.map((o) => combine(o, beside(o), (a, b) => positive(a - b)));
    let found = 0;
    const contrast = [], papers = [], bands = [];
    images.forEach((image, axis) => {
      const across = transpose(candidates[1 - axis]);
      const paper = combine(combine(opened[axis], candidates[axis], (a, b) => a - b),
                            beside(combine(image, across, (a, b) => positive(a - b))), highest);
      const line = combine(opened[axis], paper, (a, b) => positive(a - b));
      const { labels, spans } = label(line.data.map((v) => (v > LINE.contrast ? 1 : 0)), image.w);
      found = Math.max(found, spans.filter((s) => s && s[1] - s[0] + 1 >= LINE.full * image.w).length);
      const lifted = combine(image, paper, (a, b) => positive(a - b));
      contrast.push(combine(line, lifted, (a, b) => Math.min(f32(LINE.slack * a), b)));
      papers.push(paper);
      bands.push(labels);
    });
    return { found, contrast, papers, bands };
  }

  function removeLines(ink) {
    const images = [ink, transpose(ink)], tilts = images.map((image) => tiltsOf(image));
    const lengths = images.map((image) => Math.max(3, Math.trunc(LINE.length * image.w)));
    let opened = images.map((image, axis) => openAlong(image, tilts[axis][0], lengths[axis]));
    if (findLines(images, opened).found < 2) return ink; // fewer than two lines at the sharpest tilt
    opened = opened.map((o, axis) => tilts[axis].slice(1)  // the union of the openings at every tilt
      .reduce((union, tilt) => combine(union, openAlong(images[axis], tilt, lengths[axis]), highest), o));
    const { contrast, papers, bands } = findLines(images, opened);
    const [paper, across, band] = [transpose(papers[1]), transpose(contrast[1]), transpose({ data: bands[1], w: ink.h, h: ink.w })];
    const lowestPaper = combine(papers[0], paper, lowest);
    let unlined = combine(combine(combine(ink, contrast[0], (a, b) => a - b), across, (a, b) => a - b),
                          combine(ink, lowestPaper, lowest), highest);
    // A grey closing across the lines (a maximum, then a minimum, over 2 * 7 + 1 pixels, 0 beyond
    // the edges) bridges the gaps where strokes crossed them.
    const size = 2 * LINE.width + 1;
    const close = (image, axis) => filterAlong(filterAlong(image, axis, size, true, 0), axis, size, false, 0);
    const down = close(unlined, 0);
    unlined = { data: unlined.data.map((v, i) => (bands[0][i] ? Math.max(v, down.data[i]) : v)), w: ink.w, h: ink.h };
    const along = close(unlined, 1);
    unlined.data = unlined.data.map((v, i) => (band.data[i] ? Math.max(v, along.data[i]) : v));
    return unlined;
  }

  // level_background. fix_polarity keeps the image as it is: the canvas's border is black, light on
  // dark already. On this clean black canvas, subtract_background's opening is 0; noise_floor's
  // noise is 0, so any drawing reaches the clear contrast, 0.08, which becomes the floor;
  // remove_specks is the 3 x 3 median (the 18-pixel pen draws no 1-pixel lines to widen first).
  // What remains: the ink's level at least 1.5 times that floor, Otsu's threshold (at least 0.08 and
  // a third of the ink's level), drop_clutter's removal of specks under 5% of the largest stroke, and
  // the stretch of the ink's level to 1.
  function levelBackground(gray) {
    const clamp = (v, n) => (v < 0 ? -v - 1 : v >= n ? 2 * n - v - 1 : v); // scipy's "reflect" border
    const levelled = new Float32Array(W * H);
    const window = new Float32Array(9);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      let k = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) window[k++] = gray[clamp(y + dy, H) * W + clamp(x + dx, W)];
      levelled[y * W + x] = window.sort()[4];
    }
    const candidates = levelled.filter((v) => v > 0.08).sort();
    if (candidates.length < 12) return null; // NoInkError: nothing drawn yet
    const at = 0.9 * (candidates.length - 1); // np.percentile(candidates, 90), linear interpolation
    const strong = candidates[Math.floor(at)] + (at % 1) * (candidates[Math.ceil(at)] - candidates[Math.floor(at)]);
    if (strong < 1.5 * 0.08) return null; // NoInkError: the ink's level under INK_OVER_FLOOR times the floor
    const threshold = Math.max(otsu(levelled), 0.08, strong / 3);
    const keep = dropSpecks(levelled.map((v) => (v > threshold ? 1 : 0)));
    return levelled.map((v, i) => (keep[i] ? Math.min(v / strong, 1) : 0));
  }

  // _two_level: the fraction of the variance between Otsu's two classes (1: a two-level image); an
  // image is two-level from TWO_LEVEL on.
  const TWO_LEVEL = 0.97;
  function twoLevel(values) {
    const moments = (part) => {
      const mean = part.reduce((s, v) => s + v, 0) / part.length;
      return [part.length, part.reduce((s, v) => s + (v - mean) ** 2, 0)];
    };
    const [count, total] = moments(values);
    if (!count || total === 0) return 0;
    const cut = otsu(values), dark = values.filter((v) => v <= cut), light = values.filter((v) => v > cut);
    const within = [dark, light].reduce((s, part) => s + (part.length ? moments(part)[1] : 0), 0);
    return 1 - within / total;
  }

  // _otsu: the threshold that maximizes the between-class variance of a 256-bin histogram.
  function otsu(values) {
    const counts = new Float64Array(256);
    values.forEach((v) => { counts[Math.min(Math.floor(v * 256), 255)]++; });
    let total = 0, sum = 0;
    counts.forEach((c, k) => { total += c; sum += c * (k + 0.5) / 256; });
    let best = -1, threshold = 0, w0 = 0, s0 = 0;
    counts.forEach((c, k) => {
      w0 += c; s0 += c * (k + 0.5) / 256;
      const w1 = total - w0, m0 = s0 / Math.max(w0, 1), m1 = (sum - s0) / Math.max(w1, 1);
      const score = w0 * w1 * (m0 - m1) ** 2;
      if (score > best) { best = score; threshold = (k + 0.5) / 256; }
    });
    return threshold;
  }

  // drop_clutter: connected strokes (4-neighbours, as scipy.ndimage.label) smaller than 5% of the
  // largest are dropped. (Its page-edge rule, for shapes along half a side, has no use on a canvas.)
  function dropSpecks(mask) {
    const { labels, sizes } = label(mask, W);
    const smallest = Math.max(0.05 * Math.max(...sizes), 1);
    return labels.map((number) => (number && sizes[number] >= smallest ? 1 : 0));
  }

  // crop_to_ink: the bounding box of the non-zero pixels.
  function cropToInk(image, width, height) {
    let top = height, bottom = -1, left = width, right = -1;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (image[y * width + x] > 0) {
      top = Math.min(top, y); bottom = Math.max(bottom, y); left = Math.min(left, x); right = Math.max(right, x);
    }
    const w = right - left + 1, h = bottom - top + 1, out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = image[(y + top) * width + x + left];
    return { data: out, w, h };
  }

  // stroke_width: 4 x the mean Euclidean distance from an ink pixel (> 0.5) to the nearest
  // background pixel (the image's outside counts as background, as np.pad does), minus 2.
  const offsets = [];
  for (let dy = -48; dy <= 48; dy++) for (let dx = -48; dx <= 48; dx++) offsets.push([dy, dx, Math.hypot(dy, dx)]);
  offsets.sort((a, b) => a[2] - b[2]);
  function strokeWidth({ data, w, h }) {
    let total = 0, count = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      if (!(data[y * w + x] > 0.5)) continue;
      const hit = offsets.find(([dy, dx]) => {
        const yy = y + dy, xx = x + dx;
        return yy < 0 || yy >= h || xx < 0 || xx >= w || !(data[yy * w + xx] > 0.5);
      });
      total += hit ? hit[2] : 48; count++;
    }
    return count ? Math.max(4 * (total / count) - 2, 1) : 0;
  }

  // widen_thin_strokes: a grey dilation with a disk, when the strokes would end up thinner than
  // MNIST's 3 px once the digit is scaled to 20 px.
  function widenThinStrokes(cropped) {
    const scale = 20 / Math.max(cropped.w, cropped.h);
    const radius = roundHalfEven((3 / scale - strokeWidth(cropped)) / 2);
    if (radius < 1) return cropped;
    const w = cropped.w + 2 * radius, h = cropped.h + 2 * radius, out = new Float32Array(w * h);
    const disk = offsets.filter(([dy, dx]) => Math.abs(dy) <= radius && Math.abs(dx) <= radius && dy * dy + dx * dx <= radius * radius);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      let best = 0;
      for (const [dy, dx] of disk) {
        const yy = y + dy - radius, xx = x + dx - radius;
        if (yy >= 0 && yy < cropped.h && xx >= 0 && xx < cropped.w) best = Math.max(best, cropped.data[yy * cropped.w + xx]);
      }
      out[y * w + x] = best;
    }
    return { data: out, w, h };
  }

  // thin_thick_strokes: a grey erosion with a disk (outside the image counts as 0), when the strokes
  // would end up wider than 4.5 px once the digit is scaled to 20 px (a small digit drawn with this
  // broad pen), to MNIST's 3 px; then crop_to_ink again.
  function thinThickStrokes(cropped) {
    const scale = 20 / Math.max(cropped.w, cropped.h), width = strokeWidth(cropped);
    if (width * scale <= 4.5) return cropped;
    const radius = roundHalfEven((width - 3 / scale) / 2), { w, h } = cropped, out = new Float32Array(w * h);
    const disk = offsets.filter(([dy, dx]) => Math.abs(dy) <= radius && Math.abs(dx) <= radius && dy * dy + dx * dx <= radius * radius);
    let any = false;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      let least = Infinity;
      for (const [dy, dx] of disk) {
        const yy = y + dy, xx = x + dx;
        least = Math.min(least, yy >= 0 && yy < h && xx >= 0 && xx < w ? cropped.data[yy * w + xx] : 0);
        if (least === 0) break;
      }
      out[y * w + x] = least;
      any ||= least > 0;
    }
    return any ? cropToInk(out, w, h) : cropped;
  }

  // fit_in_box: Pillow's Lanczos resize (support 3, widened by the scale when shrinking), rows
  // first and then columns, as Pillow does; the longer side becomes 20 px, values clipped to [0, 1].
  function lanczosWeights(inSize, outSize) {
    const sinc = (x) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
    const scale = inSize / outSize, filterScale = Math.max(scale, 1), support = 3 * filterScale;
    return Array.from({ length: outSize }, (_, i) => {
      const center = (i + 0.5) * scale;
      const first = Math.max(Math.trunc(center - support + 0.5), 0), end = Math.min(Math.trunc(center + support + 0.5), inSize);
      const weights = [];
      for (let j = first; j < end; j++) {
        const x = (j - center + 0.5) / filterScale;
        weights.push(x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0);
      }
      const sum = weights.reduce((a, b) => a + b, 0);
      return { first, weights: weights.map((v) => (sum ? v / sum : 0)) };
    });
  }
  function fitInBox({ data, w, h }) {
    const scale = 20 / Math.max(w, h);
    const outW = Math.max(1, roundHalfEven(w * scale)), outH = Math.max(1, roundHalfEven(h * scale));
    const across = lanczosWeights(w, outW), down = lanczosWeights(h, outH);
    const rows = new Float64Array(outW * h);
    for (let y = 0; y < h; y++) across.forEach(({ first, weights }, x) => {
      rows[y * outW + x] = weights.reduce((s, v, k) => s + v * data[y * w + first + k], 0);
    });
    const out = new Float32Array(outW * outH);
    down.forEach(({ first, weights }, y) => { for (let x = 0; x < outW; x++) {
      out[y * outW + x] = Math.min(Math.max(weights.reduce((s, v, k) => s + v * rows[(first + k) * outW + x], 0), 0), 1);
    } });
    return { data: out, w: outW, h: outH };
  }

  // center_by_mass: paste in the middle of 28 x 28, then move by the whole number of pixels that
  // brings the centre of mass closest to (14, 14).
  function centerByMass({ data, w, h }) {
    const top = Math.floor((28 - h) / 2), left = Math.floor((28 - w) / 2);
    let mass = 0, rowSum = 0, colSum = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const v = data[y * w + x];
      mass += v; rowSum += v * (y + top); colSum += v * (x + left);
    }
    const dy = roundHalfEven(14 - rowSum / mass) + top, dx = roundHalfEven(14 - colSum / mass) + left;
    const out = new Float32Array(28 * 28);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      if (y + dy >= 0 && y + dy < 28 && x + dx >= 0 && x + dx < 28) out[(y + dy) * 28 + x + dx] = data[y * w + x];
    }
    return out;
  }

  // ---- the network ----
  function loadScript(url, integrity) {
    window.digitcourseOrt ??= new Promise((resolve, reject) => {
      if (window.ort) return resolve(window.ort);
      const script = Object.assign(document.createElement("script"), { src: url, integrity, crossOrigin: "anonymous" });
      script.onload = () => resolve(window.ort);
      script.onerror = () => reject(new Error(`could not load ${url}`));
      document.head.appendChild(script);
    });
    return window.digitcourseOrt;
  }
  let session = null;
  async function predict() {
    if (!session) return;
    const start = performance.now();
    const levelled = levelBackground(removeLines({ data: toGrayscale(), w: W, h: H }).data);
    if (levelled === null) { status.textContent = "Draw one digit, or choose an image file."; return; }
    const input = centerByMass(fitInBox(thinThickStrokes(widenThinStrokes(cropToInk(levelled, W, H)))));
    const image = inputView.createImageData(28, 28);
    input.forEach((v, i) => { image.data.set([255 * v, 255 * v, 255 * v, 255], 4 * i); });
    inputView.putImageData(image, 0, 0);
    const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", input, config.inputShape) };
    const probs = Array.from((await session.run(feeds))[session.outputNames[0]].data);
    const top = probs.indexOf(Math.max(...probs));
    const sure = probs[top] >= config.threshold; // as digitcourse.reading.show_prediction decides
    bars.forEach((bar, digit) => {
      bar.style.width = `${(100 * probs[digit]).toFixed(1)}%`;
      bar.parentElement.classList.toggle("dc-top", sure && digit === top);
    });
    const percent = (100 * probs[top]).toFixed(1);
    status.textContent = sure ? `It reads ${top} (${percent}%).`
      : `Not sure: ${top} is the likeliest, at ${percent}%, below the ${(100 * config.threshold).toFixed(0)}% it needs.`;
    state.timings.prediction = performance.now() - start;
    Object.assign(state, { input: Array.from(input), probs, top, sure, predictions: state.predictions + 1 });
  }
  try {
    const ort = await loadScript(config.ortUrl, config.ortIntegrity);
    state.timings.libraryLoaded = performance.now();
    ort.env.wasm.numThreads = 1; // threads need a cross-origin-isolated page, which a book page is not
    const bytes = Uint8Array.from(atob(root.querySelector(".dc-model").textContent.trim()), (c) => c.charCodeAt(0));
    session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
    state.ready = true;
    state.timings.ready = performance.now();
    status.textContent = "Draw one digit, or choose an image file.";
    if (last === null) predict(); // something drawn while the model loaded
  } catch (error) {
    status.textContent = `The network could not start: ${error.message}. It needs a browser with WebAssembly and access to ${new URL(config.ortUrl).host}.`;
    throw error;
  }
})();
