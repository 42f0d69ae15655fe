// NbnEdge dashboard client. Written for this project: small canvas plots, no libraries.
// Receives the state from /api/events (Server-Sent Events) and redraws only what changed,
// at most once per animation frame.
'use strict';

(() => {
  const C = { ink: '#1a1a1a', muted: '#5f6368', grid: 'rgba(0,0,0,0.08)', blue: '#0072B2', orange: '#E69F00',
    red: '#D55E00', green: '#009E73', sky: '#56B4E9' };
  const FONT = '"DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif';
  const MAX_WATERFALL_DRAWN = 300;

  // ---- client-side copy of the session ----
  const S = {
    info: { title: 'NbnEdge', position_label: 'spectrum #', max_fits: 200000, max_waterfall: 20000 },
    spectraAdded: 0,
    fits: { seq0: 0, name: [], position: [], delta: [], err: [], device: [], flag: [] },
    waterfall: [], // [seq, biasMin, biasMax, g...]
    latest: null, stats: null, link: null, map: null, finished: null,
  };
  const dirty = new Set();
  const timings = { updates: 0, lastUpdateParseMs: 0 };
  // For tests and the curious: the state, draw counts and timings, and each plot's axis ranges and legend box.
  window.__nbnedge = { state: S, timings, drawn: {}, axes: {}, legends: {} };
  const DEBUG = new URLSearchParams(location.search).has('debug');

  function resetAll() {
    S.fits = { seq0: 0, name: [], position: [], delta: [], err: [], device: [], flag: [] };
    S.waterfall = []; S.latest = null; S.stats = null; S.link = null; S.map = null; S.finished = null;
  }

  function applyUpdate(u) {
    if (u.reset) resetAll();
    S.spectraAdded = u.spectra_added;
    if (u.info) { S.info = u.info; dirty.add('info'); dirty.add('delta'); }
    if (u.device_updates) {
      // The board's estimate arrives after its spectrum: fill it in where that spectrum is.
      const f = S.fits;
      for (const [seq, v] of u.device_updates) { const i = seq - f.seq0; if (i >= 0 && i < f.device.length) f.device[i] = v; }
      dirty.add('delta');
    }
    if (u.fits) {
      const f = S.fits, n = u.fits.name.length;
      if (f.name.length === 0) f.seq0 = u.fits.from;
      for (const k of ['name', 'position', 'flag']) for (let i = 0; i < n; i++) f[k].push(u.fits[k][i]);
      for (let i = 0; i < n; i++) {
        f.delta.push(u.fits.delta_meV[i]); f.err.push(u.fits.delta_err_meV[i]); f.device.push(u.fits.device_delta_meV[i]);
      }
      const over = f.name.length - S.info.max_fits; // same bound as the server
      if (over > 0) { for (const k of ['name', 'position', 'delta', 'err', 'device', 'flag']) f[k].splice(0, over); f.seq0 += over; }
      dirty.add('delta');
    }
    if (u.waterfall && u.waterfall.length) {
      for (const w of u.waterfall) S.waterfall.push(w);
      const over = S.waterfall.length - S.info.max_waterfall;
      if (over > 0) S.waterfall.splice(0, over);
      dirty.add('waterfall');
    }
    if (u.latest) { S.latest = u.latest; dirty.add('spectrum'); dirty.add('numbers'); }
    if (u.stats) { S.stats = u.stats; dirty.add('histogram'); dirty.add('numbers'); }
    if (u.link) { S.link = u.link; dirty.add('link'); }
    if (u.map) { S.map = u.map; dirty.add('map'); }
    if (u.finished) { S.finished = u.finished; dirty.add('finished'); showConnection(); }
    dirty.add('count');
    schedule();
  }

  let scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; render(); });
  }

  function timed(name, fn) {
    const t0 = performance.now();
    fn();
    const ms = performance.now() - t0;
    timings[name] = ms;
    timings[name + '_max'] = Math.max(timings[name + '_max'] || 0, ms);
    window.__nbnedge.drawn[name] = (window.__nbnedge.drawn[name] || 0) + 1;
  }

  function render() {
    const d = new Set(dirty); dirty.clear();
    if (d.has('info')) {
      setText(byId('title'), S.info.title); document.title = S.info.title + ' – NbnEdge';
      // A grid's spectra are not a line: no Δ-against-spectrum-# plot (the gap map shows them).
      byId('delta-card').classList.toggle('hidden', S.info.is_line === false);
    }
    if (d.has('count')) setField('spectra_added', S.spectraAdded, 'count');
    if (d.has('numbers')) timed('numbers', drawNumbers);
    if (d.has('spectrum')) timed('spectrum', drawSpectrum);
    if (d.has('delta')) timed('delta', drawDelta);
    if (d.has('histogram')) timed('histogram', drawHistogram);
    if (d.has('waterfall')) timed('waterfall', drawWaterfall);
    if (d.has('map')) timed('map', drawMap);
    if (d.has('link')) timed('link', drawLink);
    if (d.has('finished')) timed('finished', drawFinished);
    if (DEBUG) {
      const rt = byId('render-times');
      rt.classList.remove('hidden');
      rt.textContent = `draw: waterfall ${fmt(timings.waterfall, 1)} ms, histogram ${fmt(timings.histogram, 1)} ms, Δ ${fmt(timings.delta, 1)} ms`;
    }
  }

  // ---- numbers: data-value keeps the exact JSON number for comparisons; the text is rounded for people ----
  const byId = (id) => document.getElementById(id);
  function setText(el, t) { if (el.textContent !== t) el.textContent = t; }
  function fmt(v, digits) { return (v === null || v === undefined || !isFinite(v)) ? '–' : Number(v).toFixed(digits); }
  function display(v, unit) {
    if (v === null || v === undefined) return '–';
    if (typeof v === 'string') return v;
    switch (unit) {
      case 'meV': return fmt(v, 4) + ' meV';
      case 'meV-bare': return fmt(v, 4);
      case 'ueV': return fmt(v * 1000, 1) + ' µeV';
      case 'ueV-bare': return fmt(v * 1000, 1);
      case 'count': return String(v);
      default: return typeof v === 'number' ? String(+v.toPrecision(8)) : String(v);
    }
  }
  function setField(field, v, unit) {
    for (const el of document.querySelectorAll(`[data-field="${field}"]`)) {
      el.dataset.value = (v === null || v === undefined) ? '' : String(v);
      setText(el, display(v, unit || el.dataset.unit));
    }
  }
  // Decimals that show an error where it matters, and its value to the same place
  // (one significant digit of the error, two when it starts with 1 or 2: 0.0006 → 4 places, 0.12 → 2).
  function decimalsFor(err) {
    if (err === null || !isFinite(err) || err <= 0) return 4;
    const exp = Math.floor(Math.log10(err)), lead = err / Math.pow(10, exp);
    return Math.min(9, Math.max(0, -exp + (lead < 3 ? 1 : 0)));
  }
  function withError(v, e, unit) {
    if (v === null || !isFinite(v)) return '–';
    const d = decimalsFor(e);
    return (e === null || !isFinite(e) || e <= 0) ? `${fmt(v, d)} ${unit}` : `${fmt(v, d)} ± ${fmt(e, d)} ${unit}`;
  }
  // SI prefixes so that values read 1 to 999 (2.2e-9 A → 2.2 nA): the factor and its prefix.
  function engineering(maxAbs) {
    if (!(maxAbs > 0) || !isFinite(maxAbs)) return { f: 1, p: '' };
    const e3 = Math.max(-15, Math.min(12, Math.floor(Math.log10(maxAbs) / 3) * 3));
    return { f: Math.pow(10, -e3), p: { '-15': 'f', '-12': 'p', '-9': 'n', '-6': 'µ', '-3': 'm', '0': '', '3': 'k', '6': 'M', '9': 'G', '12': 'T' }[e3] };
  }
  // The conductance axis: normalised, an SI unit with its prefix, or arbitrary units scaled by a power of 1000.
  function conductanceAxis(unit, values) {
    if (unit === 'normalised') return { f: 1, label: 'dI/dV (normalised)' };
    let m = 0; for (const v of values) if (v !== null && isFinite(v)) m = Math.max(m, Math.abs(v));
    const e = engineering(m);
    if (unit) return { f: e.f, label: `dI/dV (${e.p}${unit})` };
    const exp = Math.round(-Math.log10(e.f));
    return { f: e.f, label: exp === 0 ? 'dI/dV (arb. units)' : `dI/dV (×10${sup(exp)}, arb. units)` };
  }
  function sup(n) { const d = '⁰¹²³⁴⁵⁶⁷⁸⁹'; return (n < 0 ? '⁻' : '') + String(Math.abs(n)).split('').map((c) => d[+c]).join(''); }

  function drawNumbers() {
    const st = S.stats;
    if (st) {
      for (const k of ['n', 'mean_meV', 'sd_meV', 'gauss_mean_meV', 'gauss_sigma_meV', 'intrinsic_sigma_meV']) setField(k, st[k]);
      setField('intrinsic_sigma_ci_meV.0', st.intrinsic_sigma_ci_meV[0]);
      setField('intrinsic_sigma_ci_meV.1', st.intrinsic_sigma_ci_meV[1]);
    }
    const l = S.latest;
    if (l) {
      for (const k of ['name', 'device_delta_meV', 'flag']) setField('latest.' + k, l[k]);
      // Δ and its error in one unit to the error's precision: "2.1002 ± 0.0006 meV".
      const d = decimalsFor(l.delta_err_meV);
      for (const el of document.querySelectorAll('[data-field="latest.delta_meV"]')) {
        el.dataset.value = l.delta_meV === null ? '' : String(l.delta_meV); setText(el, fmt(l.delta_meV, d));
      }
      for (const el of document.querySelectorAll('[data-field="latest.delta_err_meV"]')) {
        el.dataset.value = l.delta_err_meV === null ? '' : String(l.delta_err_meV); setText(el, fmt(l.delta_err_meV, d) + ' meV');
      }
    }
  }

  // ---- plotting primitives ----
  function setup(canvas) {
    const id = canvas.id;
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, w, h);
    return { ctx, w, h, id };
  }

  function niceStep(span, target) {
    const raw = span / Math.max(1, target);
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const m = raw / p;
    return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p;
  }
  function ticks(min, max, target) {
    if (!(max > min)) return [min];
    const step = niceStep(max - min, target), out = [];
    for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return out;
  }
  function tickLabel(v, step) {
    const d = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    // Data are scaled to 1…999 before plotting; a step below 1e-6 would otherwise print 0.000000 on every tick.
    return d > 6 ? v.toExponential(1) : v.toFixed(d);
  }
  function range(values, pad) {
    let lo = Infinity, hi = -Infinity;
    for (const v of values) if (v !== null && isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
    if (!(hi >= lo)) return [0, 1];
    if (hi === lo) { const e = Math.abs(lo) * 0.01 || 1; lo -= e; hi += e; }
    const p = (hi - lo) * (pad ?? 0.05);
    return [lo - p, hi + p];
  }

  // Axes with ticks, grid and labels; returns the data→pixel maps and the plot box.
  function axes(g, xr, yr, xlabel, ylabel, opt = {}) {
    const { ctx, w, h } = g;
    const box = { l: opt.left ?? 66, r: w - (opt.right ?? 14), t: opt.top ?? 10, b: h - (opt.bottom ?? 42) };
    const X = (v) => box.l + (v - xr[0]) / (xr[1] - xr[0]) * (box.r - box.l);
    const Y = (v) => box.b - (v - yr[0]) / (yr[1] - yr[0]) * (box.b - box.t);
    ctx.font = `12px ${FONT}`; ctx.fillStyle = C.ink; ctx.strokeStyle = C.grid; ctx.lineWidth = 1;
    const xt = ticks(xr[0], xr[1], Math.max(3, (box.r - box.l) / 80)), xs = xt.length > 1 ? xt[1] - xt[0] : 1;
    const yt = ticks(yr[0], yr[1], Math.max(2, (box.b - box.t) / 45)), ys = yt.length > 1 ? yt[1] - yt[0] : 1;
    ctx.textAlign = 'center'; ctx.textBaseline = 'top';
    for (const v of xt) {
      const x = X(v); if (x < box.l - 0.5 || x > box.r + 0.5) continue;
      ctx.beginPath(); ctx.moveTo(x, box.t); ctx.lineTo(x, box.b); ctx.stroke();
      if (!opt.noXTicks) ctx.fillText(tickLabel(v, xs), x, box.b + 4);
    }
    ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    for (const v of yt) {
      const y = Y(v); if (y < box.t - 0.5 || y > box.b + 0.5) continue;
      ctx.beginPath(); ctx.moveTo(box.l, y); ctx.lineTo(box.r, y); ctx.stroke();
      ctx.fillText(tickLabel(v, ys), box.l - 5, y);
    }
    ctx.strokeStyle = C.ink; ctx.lineWidth = 1.2; ctx.strokeRect(box.l, box.t, box.r - box.l, box.b - box.t);
    ctx.font = `13px ${FONT}`; ctx.fillStyle = C.ink;
    if (xlabel) { ctx.textAlign = 'center'; ctx.textBaseline = 'bottom'; ctx.fillText(xlabel, (box.l + box.r) / 2, h - 3); }
    if (ylabel) {
      ctx.save(); ctx.translate(13, (box.t + box.b) / 2); ctx.rotate(-Math.PI / 2);
      ctx.textAlign = 'center'; ctx.textBaseline = 'middle'; ctx.fillText(ylabel, 0, 0); ctx.restore();
    }
    window.__nbnedge.axes[g.id] = { x: [xr[0], xr[1]], y: [yr[0], yr[1]], xlabel, ylabel, box };
    return { X, Y, box };
  }
  function clip(g, box) { g.ctx.save(); g.ctx.beginPath(); g.ctx.rect(box.l, box.t, box.r - box.l, box.b - box.t); g.ctx.clip(); }
  function line(ctx, xs, ys, X, Y, color, width) {
    ctx.strokeStyle = color; ctx.lineWidth = width; ctx.beginPath();
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      const y = ys[i];
      if (y === null || !isFinite(y) || xs[i] === null) { pen = false; continue; }
      if (pen) ctx.lineTo(X(xs[i]), Y(y)); else { ctx.moveTo(X(xs[i]), Y(y)); pen = true; }
    }
    ctx.stroke();
  }
  const LEGEND_LINE = 17;
  // Inside the plot's upper right corner, or, with above = true, in a band reserved above the plot box.
  function legend(g, box, items, above) {
    const { ctx } = g; ctx.font = `12px ${FONT}`;
    let wmax = 0; for (const it of items) wmax = Math.max(wmax, ctx.measureText(it.text).width);
    const lh = LEGEND_LINE, x0 = box.r - wmax - 40, y0 = above ? box.t - items.length * lh - 6 : box.t + 6;
    window.__nbnedge.legends[g.id] = { l: x0 - 6, t: y0 - 4, r: x0 + wmax + 36, b: y0 + items.length * lh + 2 };
    ctx.fillStyle = 'rgba(255,255,255,0.9)'; ctx.strokeStyle = C.grid;
    ctx.fillRect(x0 - 6, y0 - 4, wmax + 42, items.length * lh + 6); ctx.strokeRect(x0 - 6, y0 - 4, wmax + 42, items.length * lh + 6);
    items.forEach((it, i) => {
      const y = y0 + i * lh + 7;
      ctx.strokeStyle = it.color; ctx.fillStyle = it.color; ctx.lineWidth = 2;
      if (it.kind === 'line') { ctx.beginPath(); ctx.moveTo(x0, y); ctx.lineTo(x0 + 24, y); ctx.stroke(); }
      else if (it.kind === 'box') { ctx.globalAlpha = 0.6; ctx.fillRect(x0 + 4, y - 5, 16, 10); ctx.globalAlpha = 1; }
      else if (it.kind === 'point') { ctx.beginPath(); ctx.arc(x0 + 12, y, 3.5, 0, 7); ctx.fill(); }
      else if (it.kind === 'tri') { tri(ctx, x0 + 12, y, 5); }
      ctx.fillStyle = C.ink; ctx.textAlign = 'left'; ctx.textBaseline = 'middle'; ctx.fillText(it.text, x0 + 32, y);
    });
  }
  function tri(ctx, x, y, r) { ctx.beginPath(); ctx.moveTo(x, y - r); ctx.lineTo(x + r, y + r * 0.8); ctx.lineTo(x - r, y + r * 0.8); ctx.closePath(); ctx.stroke(); }
  function empty(g, text) {
    g.ctx.fillStyle = C.muted; g.ctx.font = `14px ${FONT}`; g.ctx.textAlign = 'center'; g.ctx.textBaseline = 'middle';
    g.ctx.fillText(text, g.w / 2, g.h / 2);
  }

  // Viridis at nine stops (the colour map's published sample values), interpolated.
  const VIRIDIS = [[68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]];
  function viridis(t) {
    t = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
    const i = Math.min(VIRIDIS.length - 2, Math.floor(t)), f = t - i, a = VIRIDIS[i], b = VIRIDIS[i + 1];
    return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
  }
  const rgb = (c) => `rgb(${c[0] | 0},${c[1] | 0},${c[2] | 0})`;

  // ---- views ----
  function drawSpectrum() {
    const g = setup(byId('spectrum')), gr = setup(byId('residuals'));
    const l = S.latest;
    if (!l) { empty(g, 'waiting for the first spectrum…'); return; }
    const xr = range(l.bias_mV, 0.02);
    const ca = conductanceAxis(l.conductance_unit, l.conductance);
    const sc = (arr) => arr.map((v) => v === null ? null : v * ca.f);
    const cond = sc(l.conductance), model = l.model ? sc(l.model) : null;
    const yr = range(model ? cond.concat(model) : cond, 0.06);
    const a = axes(g, xr, yr, '', ca.label, { bottom: 20, noXTicks: true });
    clip(g, a.box);
    g.ctx.fillStyle = C.ink;
    for (let i = 0; i < l.bias_mV.length; i++) {
      const v = cond[i]; if (v === null) continue;
      g.ctx.beginPath(); g.ctx.arc(a.X(l.bias_mV[i]), a.Y(v), 2.2, 0, 7); g.ctx.fill();
    }
    if (model) line(g.ctx, l.bias_mV, model, a.X, a.Y, C.red, 2.2);
    g.ctx.restore();
    const items = [{ kind: 'point', color: C.ink, text: l.name + (l.flag && l.flag !== 'ok' ? ` (${l.flag})` : '') }];
    if (model) items.push({ kind: 'line', color: C.red, text: `fit: Δ = ${withError(l.delta_meV, l.delta_err_meV, 'meV')}` });
    legend(g, a.box, items);

    if (!model) { empty(gr, 'no fit'); return; }
    const res = cond.map((v, i) => (v === null || model[i] === null) ? null : v - model[i]);
    let m = 0; for (const v of res) if (v !== null) m = Math.max(m, Math.abs(v));
    const b = axes(gr, xr, [-1.2 * (m || 1), 1.2 * (m || 1)], 'bias (mV)', 'resid.', { top: 4 });
    clip(gr, b.box);
    gr.ctx.strokeStyle = C.muted; gr.ctx.setLineDash([4, 4]); gr.ctx.beginPath(); gr.ctx.moveTo(b.box.l, b.Y(0)); gr.ctx.lineTo(b.box.r, b.Y(0)); gr.ctx.stroke(); gr.ctx.setLineDash([]);
    gr.ctx.fillStyle = C.blue;
    for (let i = 0; i < res.length; i++) if (res[i] !== null) gr.ctx.fillRect(b.X(l.bias_mV[i]) - 1.5, b.Y(res[i]) - 1.5, 3, 3);
    gr.ctx.restore();
  }

  function drawDelta() {
    const g = setup(byId('delta'));
    const f = S.fits, n = f.name.length;
    if (n === 0) { empty(g, 'no fits yet'); return; }
    const lo = [], hi = [];
    for (let i = 0; i < n; i++) {
      if (f.delta[i] !== null) { lo.push(f.delta[i] - (f.err[i] || 0)); hi.push(f.delta[i] + (f.err[i] || 0)); }
      if (f.device[i] !== null) { lo.push(f.device[i]); hi.push(f.device[i]); }
    }
    const yr = range(lo.concat(hi), 0.08);
    const a = axes(g, range(f.position, 0.02), [yr[0], yr[1] + (yr[1] - yr[0]) * 0.18], S.info.position_label, 'Δ (meV)');
    clip(g, a.box);
    const ctx = g.ctx, big = n > 3000;
    ctx.strokeStyle = 'rgba(0,114,178,0.5)'; ctx.lineWidth = 1; ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const d = f.delta[i], e = f.err[i]; if (d === null || !e) continue;
      const x = a.X(f.position[i]); ctx.moveTo(x, a.Y(d - e)); ctx.lineTo(x, a.Y(d + e));
    }
    ctx.stroke();
    ctx.fillStyle = C.blue;
    const r = big ? 1.2 : 2.6;
    for (let i = 0; i < n; i++) if (f.delta[i] !== null) ctx.fillRect(a.X(f.position[i]) - r, a.Y(f.delta[i]) - r, 2 * r, 2 * r);
    ctx.strokeStyle = C.orange; ctx.lineWidth = 1.3;
    for (let i = 0; i < n; i++) if (f.device[i] !== null) {
      if (big) ctx.strokeRect(a.X(f.position[i]) - 1, a.Y(f.device[i]) - 1, 2, 2); else tri(ctx, a.X(f.position[i]), a.Y(f.device[i]), 4);
    }
    ctx.restore();
    legend(g, a.box, [{ kind: 'point', color: C.blue, text: 'host fit ± standard error' }, { kind: 'tri', color: C.orange, text: 'device estimate' }]);
  }

  function drawHistogram() {
    const g = setup(byId('histogram'));
    const st = S.stats;
    if (!st || !st.counts.length) { empty(g, 'no statistics yet'); return; }
    const e = st.edges_meV, c = st.counts;
    const mu = st.gauss_mean_meV, sg = st.gauss_sigma_meV;
    let amp = st.gauss_amplitude;
    const haveG = mu !== null && sg !== null && sg > 0;
    if (haveG && (amp === null || !isFinite(amp))) {
      // Normalise the curve to the histogram's area when no amplitude was given.
      let n = 0; for (const v of c) n += v;
      amp = n * (e[1] - e[0]) / (sg * Math.sqrt(2 * Math.PI));
    }
    let xlo = e[0], xhi = e[e.length - 1];
    if (haveG) { xlo = Math.min(xlo, mu - 3.5 * sg); xhi = Math.max(xhi, mu + 3.5 * sg); }
    let top = Math.max(...c, haveG ? amp : 0, 1);
    const nItems = 1 + (haveG ? 1 : 0) + (st.intrinsic_sigma_meV !== null ? 1 : 0);
    // The legend gets its own band above the bars: it never covers one.
    const a = axes(g, [xlo - (xhi - xlo) * 0.02, xhi + (xhi - xlo) * 0.02], [0, top * 1.08], 'Δ (meV)', 'spectra per bin',
      { top: nItems * LEGEND_LINE + 14 });
    clip(g, a.box);
    const ctx = g.ctx;
    for (let i = 0; i < c.length; i++) {
      const x0 = a.X(e[i]), x1 = a.X(e[i + 1]), y = a.Y(c[i]);
      ctx.fillStyle = 'rgba(86,180,233,0.55)'; ctx.fillRect(x0, y, x1 - x0, a.Y(0) - y);
      ctx.strokeStyle = C.blue; ctx.lineWidth = 1; ctx.strokeRect(x0, y, x1 - x0, a.Y(0) - y);
    }
    if (haveG) {
      const xs = [], ys = [];
      for (let i = 0; i <= 200; i++) { const x = xlo + (xhi - xlo) * i / 200, z = (x - mu) / sg; xs.push(x); ys.push(amp * Math.exp(-0.5 * z * z)); }
      line(ctx, xs, ys, a.X, a.Y, C.red, 2.2);
    }
    ctx.restore();
    const items = [{ kind: 'box', color: C.sky, text: `${st.n} spectra` }];
    if (haveG) items.push({ kind: 'line', color: C.red, text: `Gaussian: Δ₀ = ${fmt(mu, 4)} meV, σ = ${fmt(sg * 1000, 1)} µeV` });
    if (st.intrinsic_sigma_meV !== null) items.push({ kind: 'none', color: C.ink, text: `σᵢₙₜ = ${fmt(st.intrinsic_sigma_meV * 1000, 1)} µeV` });
    legend(g, a.box, items, true);
    window.__nbnedge.bars = { histogram: c.map((v, i) => ({ l: a.X(e[i]), r: a.X(e[i + 1]), t: a.Y(v), b: a.Y(0) })) };
  }

  function drawWaterfall() {
    const g = setup(byId('waterfall'));
    const W = S.waterfall, n = W.length;
    if (n === 0) { empty(g, 'no spectra yet'); return; }
    const drawn = Math.min(n, MAX_WATERFALL_DRAWN);
    const pick = (k) => drawn <= 1 ? 0 : Math.round(k * (n - 1) / (drawn - 1));
    // Offset from the median height of a few spectra.
    const hs = [];
    for (let k = 0; k < drawn; k += Math.max(1, Math.floor(drawn / 25))) {
      const w = W[pick(k)]; let lo = Infinity, hi = -Infinity;
      for (let j = 3; j < w.length; j++) { const v = w[j]; if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
      if (hi > lo) hs.push(hi - lo);
    }
    hs.sort((p, q) => p - q);
    const h = hs.length ? hs[hs.length >> 1] : 1;
    const off = h * (drawn <= 20 ? 0.5 : drawn <= 60 ? 0.25 : Math.max(0.02, 6 / drawn));
    let bmin = Infinity, bmax = -Infinity, gmin = Infinity, gmax = -Infinity;
    for (let k = 0; k < drawn; k++) {
      const w = W[pick(k)]; bmin = Math.min(bmin, w[1]); bmax = Math.max(bmax, w[2]);
      for (let j = 3; j < w.length; j++) { const v = w[j]; if (v !== null) { gmin = Math.min(gmin, v + k * off); gmax = Math.max(gmax, v + k * off); } }
    }
    // The waterfall's values are in the unit of the latest spectrum; show them with its prefix.
    const ca = conductanceAxis(S.latest ? S.latest.conductance_unit : null, [gmin, gmax]);
    const a = axes(g, [bmin, bmax], range([gmin * ca.f, gmax * ca.f], 0.03), 'bias (mV)', ca.label.replace('dI/dV', 'dI/dV + offset'));
    const Y0 = a.Y; a.Y = (v) => Y0(v * ca.f);
    clip(g, a.box);
    const ctx = g.ctx; ctx.lineWidth = drawn > 100 ? 0.8 : 1.4;
    for (let k = 0; k < drawn; k++) {
      const w = W[pick(k)], m = w.length - 3, step = (w[2] - w[1]) / m;
      ctx.strokeStyle = rgb(viridis(drawn === 1 ? 0 : 0.85 * k / (drawn - 1)));
      ctx.beginPath(); let pen = false;
      for (let j = 0; j < m; j++) {
        const v = w[j + 3]; if (v === null) { pen = false; continue; }
        const x = a.X(w[1] + (j + 0.5) * step), y = a.Y(v + k * off);
        if (pen) ctx.lineTo(x, y); else { ctx.moveTo(x, y); pen = true; }
      }
      ctx.stroke();
    }
    ctx.restore();
    g.ctx.fillStyle = C.muted; g.ctx.font = `12px ${FONT}`; g.ctx.textAlign = 'left'; g.ctx.textBaseline = 'top';
    g.ctx.fillText(drawn < n ? `${drawn} of ${n} spectra shown` : `${n} spectra`, a.box.l + 6, a.box.t + 4);
  }

  function drawMap() {
    const card = byId('map-card');
    const m = S.map;
    if (!m) { card.classList.add('hidden'); return; }
    card.classList.remove('hidden');
    const g = setup(byId('map'));
    const vals = m.delta_meV.filter((v) => v !== null);
    const [lo, hi] = vals.length ? range(vals, 0) : [0, 1];
    // Without a known pixel size the axes count pixels, and say so.
    const known = m.pixel_nm !== null && m.pixel_nm > 0, px = known ? m.pixel_nm : 1, unit = known ? 'nm' : 'pixels';
    const wNm = m.width * px, hNm = m.height * px;
    // Square pixels: fit the map's aspect ratio into the plot area, leaving room for the colour bar.
    const avail = { w: g.w - 66 - 90, h: g.h - 52 };
    const scale = Math.min(avail.w / wNm, avail.h / hNm);
    const a = axes(g, [0, wNm], [0, hNm], `x (${unit})`, `y (${unit})`, { right: g.w - 66 - wNm * scale, bottom: g.h - 10 - hNm * scale });
    const img = g.ctx.createImageData(m.width, m.height);
    for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) {
      const v = m.delta_meV[y * m.width + x], o = ((m.height - 1 - y) * m.width + x) * 4; // row 0 at the bottom
      const c = v === null ? [215, 215, 215] : viridis((v - lo) / (hi - lo || 1));
      img.data[o] = c[0]; img.data[o + 1] = c[1]; img.data[o + 2] = c[2]; img.data[o + 3] = 255;
    }
    const off = document.createElement('canvas'); off.width = m.width; off.height = m.height;
    off.getContext('2d').putImageData(img, 0, 0);
    g.ctx.imageSmoothingEnabled = false;
    g.ctx.drawImage(off, a.box.l, a.box.t, a.box.r - a.box.l, a.box.b - a.box.t);
    // Colour bar.
    const bx = a.box.r + 14, bw = 14;
    for (let i = 0; i < 100; i++) { g.ctx.fillStyle = rgb(viridis(1 - i / 99)); g.ctx.fillRect(bx, a.box.t + (a.box.b - a.box.t) * i / 100, bw, (a.box.b - a.box.t) / 100 + 1); }
    g.ctx.strokeStyle = C.ink; g.ctx.strokeRect(bx, a.box.t, bw, a.box.b - a.box.t);
    g.ctx.fillStyle = C.ink; g.ctx.font = `12px ${FONT}`; g.ctx.textAlign = 'left'; g.ctx.textBaseline = 'middle';
    g.ctx.fillText(fmt(hi, 3), bx + bw + 4, a.box.t + 4); g.ctx.fillText(fmt(lo, 3), bx + bw + 4, a.box.b - 4);
    g.ctx.fillText('Δ (meV)', bx + bw + 4, (a.box.t + a.box.b) / 2);
  }

  function drawLink() {
    const tb = byId('link').tBodies[0];
    tb.textContent = '';
    for (const [k, v] of S.link) {
      const tr = document.createElement('tr');
      const a = document.createElement('td'); a.textContent = k.replace(/_/g, ' ');
      const b = document.createElement('td'); b.className = 'num'; b.dataset.field = 'link.' + k;
      b.dataset.value = v === null ? '' : String(v);
      b.textContent = v === null ? '–' : (Number.isInteger(v) ? String(v) : String(+v.toPrecision(6)));
      tr.append(a, b); tb.append(tr);
    }
  }

  // Readable names and units for the CLI's final JSON keys; anything else is shown by its key, unit from its suffix.
  const LABELS = {
    film: 'film', positions: 'positions', seed: 'seed', source: 'source', bytes: 'bytes received',
    frames_ok: 'frames ok', frames_bad: 'frames bad (CRC)', frames_lost: 'frames lost', frames_unknown_type: 'frames of unknown type',
    reboots: 'board reboots', spectra_received: 'spectra received', spectra_complete: 'spectra complete',
    spectra_incomplete: 'spectra incomplete', spectra_fitted: 'spectra fitted', usable_fits: 'usable fits', spectra: 'spectra',
    estimates: 'device estimates', estimates_unmatched: 'estimates without spectrum', estimates_missing: 'estimates missing',
    mean_delta_meV: 'mean Δ', delta_meV: 'Δ', sd_meV: 'standard deviation of Δ', mean_meV: 'mean Δ',
    intrinsic_sigma_meV: 'intrinsic σᵢₙₜ', intrinsic_sigma_ci_meV: 'σᵢₙₜ interval (95 %)', intrinsic_sigma_lower_meV: 'σᵢₙₜ interval, lower',
    intrinsic_sigma_upper_meV: 'σᵢₙₜ interval, upper', rms_fit_error_meV: 'rms fit error', estimate_vs_fit_rms_meV: 'device − host fit, rms',
    estimate_vs_fit_mean_meV: 'device − host fit, mean', estimates_compared: 'estimates compared', gauss_mean_meV: 'Gaussian Δ₀', gauss_sigma_meV: 'Gaussian σ',
    true_mean_delta_meV: 'true mean Δ (simulator)', true_sigma_meV: 'true σ (simulator)', fit_vs_truth_rms_meV: 'fit − truth, rms',
    latency_median_ms: 'latency, median', latency_max_ms: 'latency, max', wall_time_s: 'wall time',
    thickness_nm: 'thickness d', tc_K: 'Tc', r_sheet_ohm: 'R□', l_sheet_pH: 'L□', delta_over_kTc: 'Δ/kB·Tc',
    paper_delta_meV: 'Δ (paper)', paper_l_sheet_pH: 'L□ (paper)', paper_delta_over_kTc: 'Δ/kB·Tc (paper)',
    journal_raw: 'raw journal', journal_results: 'results journal', table_row: 'Table I row', n: 'spectra in statistics',
  };
  const UNITS = [['_meV', 'meV'], ['_ms', 'ms'], ['_s', 's'], ['_K', 'K'], ['_nm', 'nm'], ['_pH', 'pH'], ['_ohm', 'Ω'], ['_mV', 'mV'], ['_uV', 'µV']];
  function describe(key) {
    let unit = '';
    for (const [suffix, u] of UNITS) if (key.endsWith(suffix)) { unit = u; break; }
    let label = LABELS[key];
    if (!label) { label = key; for (const [suffix] of UNITS) if (label.endsWith(suffix)) { label = label.slice(0, -suffix.length); break; } label = label.replace(/_/g, ' '); }
    return { label, unit };
  }
  // Text for people: sub-meV spreads in µeV, other numbers to 6 significant digits.
  function pretty(v, unit) {
    if (typeof v !== 'number') return { text: String(v), unit };
    if (unit === 'meV' && Math.abs(v) < 0.1 && v !== 0) return { text: String(+(v * 1000).toPrecision(4)), unit: 'µeV' };
    return { text: Number.isInteger(v) ? String(v) : String(+v.toPrecision(6)), unit };
  }

  function drawFinished() {
    byId('finished-card').classList.remove('hidden');
    byId('finished-badge').classList.remove('hidden');
    const tb = byId('finished').tBodies[0]; tb.textContent = '';
    // Every scalar of the CLI's final JSON, as a labelled row with its unit; data-value keeps the exact number.
    const walk = (o, prefix) => {
      for (const [k, v] of Object.entries(o)) {
        const key = prefix ? prefix + '.' + k : k;
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
          const tr = document.createElement('tr'); const th = document.createElement('th');
          th.colSpan = 3; th.textContent = describe(k).label; tr.append(th); tb.append(tr);
          walk(v, key); continue;
        }
        if (Array.isArray(v) && (v.length > 4 || v.some((x) => x !== null && typeof x === 'object'))) continue;
        const d = describe(k);
        const tr = document.createElement('tr');
        const a = document.createElement('td'); a.textContent = d.label;
        const b = document.createElement('td'); b.className = 'num'; b.dataset.field = 'finished.' + key;
        const c = document.createElement('td'); c.className = 'unit';
        b.dataset.value = Array.isArray(v) ? JSON.stringify(v) : (v === null ? '' : String(v));
        if (Array.isArray(v)) { const p = v.map((x) => pretty(x, d.unit)); b.textContent = p.map((x) => x.text).join(' – '); c.textContent = p.length ? p[0].unit : d.unit; }
        else if (v === null) { b.textContent = '–'; c.textContent = d.unit; }
        else { const p = pretty(v, d.unit); b.textContent = p.text; c.textContent = p.unit; }
        tr.append(a, b, c); tb.append(tr);
      }
    };
    walk(S.finished, '');
  }

  // ---- connection ----
  let connected = false;
  // A finished session is "finished" whether or not its server still runs; only a live one reconnects.
  function showConnection() {
    const conn = byId('connection');
    // (The "finished" badge beside it says that the session is over; this says whether its server still answers.)
    const [text, cls, value] = S.finished ? (connected ? ['', 'conn-done', 'finished'] : ['server stopped', 'conn-done', 'finished'])
      : connected ? ['live', 'conn-live', 'live'] : ['reconnecting…', 'conn-lost', 'lost'];
    conn.textContent = text; conn.className = cls; conn.dataset.value = value;
  }
  function connect() {
    // Relative: the same page serves a station's view under /station/NAME/ in the facility view.
    const es = new EventSource('api/events');
    es.addEventListener('open', () => { connected = true; showConnection(); });
    es.addEventListener('update', (ev) => {
      const t0 = performance.now();
      const u = JSON.parse(ev.data);
      timings.lastUpdateParseMs = performance.now() - t0;
      timings.updates++;
      applyUpdate(u);
    });
    es.addEventListener('error', () => {
      // EventSource reconnects by itself and resumes from the last event id; a finished session has nothing more to say.
      connected = false; showConnection();
      if (S.finished) es.close();
    });
  }
  window.addEventListener('resize', () => { for (const k of ['spectrum', 'delta', 'histogram', 'waterfall', 'map']) dirty.add(k); schedule(); });
  document.addEventListener('DOMContentLoaded', () => {
    for (const k of ['spectrum', 'delta', 'histogram', 'waterfall']) dirty.add(k);
    schedule();
    connect();
  });
})();
