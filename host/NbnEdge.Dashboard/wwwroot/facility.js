// The facility page: polls /api/stations (read-only JSON) and draws one card per station.
// Every value also sits in a data-value attribute, exact, for tools and tests.
'use strict';
(() => {
  const list = document.getElementById('stations');
  const conn = document.getElementById('connection');
  let version = -1;

  const num = (v, digits) => (v === null || v === undefined) ? '–' : Number(v).toFixed(digits);
  function field(parent, name, text, value) {
    const el = parent.querySelector(`[data-field="${name}"]`);
    el.textContent = text;
    el.dataset.value = value === null || value === undefined ? '' : String(value);
  }

  function card(s) {
    let a = list.querySelector(`a[data-station="${CSS.escape(s.name)}"]`);
    if (!a) {
      a = document.createElement('a');
      a.className = 'station-card';
      a.dataset.station = s.name;
      const h = document.createElement('h2');
      const name = document.createElement('span');
      name.textContent = s.name;
      const badge = document.createElement('span');
      badge.dataset.field = 'status';
      h.append(name, badge);
      const dl = document.createElement('dl');
      for (const [label, key] of [['film', 'film'], ['spectra', 'spectra'], ['mean Δ', 'mean_delta'], ['σ_int', 'intrinsic_sigma'], ['link', 'link']]) {
        const dt = document.createElement('dt');
        dt.textContent = label;
        const dd = document.createElement('dd');
        dd.dataset.field = key;
        dl.append(dt, dd);
      }
      a.append(h, dl);
      list.append(a);
    }
    a.href = s.href;
    const status = s.status || 'unknown';
    const badge = a.querySelector('[data-field="status"]');
    badge.className = `badge ${status}`;
    field(a, 'status', status, status);
    field(a, 'film', s.film || '–', s.film);
    field(a, 'spectra', String(s.spectra), s.spectra);
    field(a, 'mean_delta', s.mean_delta_meV === null ? '–' : `${num(s.mean_delta_meV, 4)} meV`, s.mean_delta_meV);
    field(a, 'intrinsic_sigma', s.intrinsic_sigma_meV === null ? '–' : `${num(s.intrinsic_sigma_meV * 1000, 1)} µeV`, s.intrinsic_sigma_meV);
    const bad = s.frames_bad + s.frames_lost;
    field(a, 'link', `${s.frames_ok} ok / ${s.frames_bad} bad / ${s.frames_lost} lost`, bad);
    a.querySelector('[data-field="link"]').classList.toggle('link-bad', bad > 0);
  }

  async function poll() {
    try {
      const r = await fetch('/api/stations', { cache: 'no-store' });
      const data = await r.json();
      conn.textContent = 'live'; conn.className = 'conn-live'; conn.dataset.value = 'live';
      if (data.version !== version) {
        version = data.version;
        document.getElementById('empty').hidden = data.stations.length > 0;
        for (const s of data.stations) card(s);
        const count = document.querySelector('[data-field="station_count"]');
        count.textContent = String(data.stations.length); count.dataset.value = String(data.stations.length);
      }
    } catch (e) {
      conn.textContent = 'reconnecting…'; conn.className = 'conn-lost'; conn.dataset.value = 'lost';
    }
    setTimeout(poll, 500);
  }
  document.addEventListener('DOMContentLoaded', poll);
})();
