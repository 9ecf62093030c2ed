// FastGate's live dashboard: polls /admin/stats and /admin/upstreams once a second and draws them by hand (SVG),
// with no library and nothing fetched from elsewhere. The admin token comes from the URL fragment (#token=...,
// never sent to the server) or the token field, and stays in this tab's sessionStorage.
'use strict';

(() => {
  const TOKEN_KEY = 'fastgate-admin-token';
  const REFRESH_MS = 1000;
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const PHASES = [
    { key: 'total', label: 'total', color: '#4fb8f0' },
    { key: 'first_byte', label: 'first byte', color: '#f2b84b' },
    { key: 'upstream', label: 'upstream', color: '#5cc98a' },
    { key: 'connect', label: 'connect', color: '#c792ea' },
  ];

  const state = { token: takeToken(), route: null, phases: new Set(['total']), lastData: null, lastUpdate: null };
  const $ = id => document.getElementById(id);

  class Unauthorized extends Error {}

  /** The token from #token=... (then dropped from the address bar), else the one this tab kept. */
  function takeToken() {
    const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (match) {
      const token = decodeURIComponent(match[1]);
      sessionStorage.setItem(TOKEN_KEY, token);
      history.replaceState(null, '', location.pathname + location.search);
      return token;
    }
    return sessionStorage.getItem(TOKEN_KEY) || '';
  }

  async function fetchJson(path) {
    const headers = state.token ? { Authorization: 'Bearer ' + state.token } : {};
    const response = await fetch(path, { headers, cache: 'no-store' });
    if (response.status === 401) throw new Unauthorized();
    if (!response.ok) throw new Error(`${path} answered ${response.status} ${response.statusText}`);
    return response.json();
  }

  async function refresh() {
    try {
      const [stats, upstreams] = await Promise.all([fetchJson('/admin/stats'), fetchJson('/admin/upstreams')]);
      state.lastData = [stats, upstreams];
      render(stats, upstreams);
      state.lastUpdate = new Date();
      $('token-form').hidden = true;
      setStatus('ok', `Live · config version ${stats.config_version} · updated ${clock(state.lastUpdate)}`);
    } catch (error) {
      if (error instanceof Unauthorized) {
        setStatus('error', state.token
          ? 'The admin API refused the token (401 Unauthorized): enter the right one.'
          : 'The admin API wants a token (401 Unauthorized): enter admin.token.');
        showTokenForm();
      } else {
        const since = state.lastUpdate ? ` · showing data from ${clock(state.lastUpdate)}` : '';
        setStatus('error', `Admin API unreachable: ${error.message}${since}`);
      }
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  function setStatus(kind, text) {
    const status = $('status');
    status.className = kind;
    status.textContent = text;
  }

  function showTokenForm() {
    const form = $('token-form');
    if (!form.hidden) return;
    form.hidden = false;
    $('token').focus();
  }

  $('token-form').addEventListener('submit', event => {
    event.preventDefault();
    state.token = $('token').value.trim();
    sessionStorage.setItem(TOKEN_KEY, state.token);
    $('token').value = '';
    setStatus('pending', 'Trying the token…');
  });

  function render(stats, upstreams) {
    const rate = stats.requests_per_second;
    $('rate-1s').textContent = formatRate(rate['1s']);
    $('rate-10s').textContent = formatRate(rate['10s']);
    $('rate-60s').textContent = formatRate(rate['60s']);
    $('requests').textContent = formatCount(stats.requests);
    $('connections').textContent = formatCount(stats.client_connections);
    $('config-version').textContent = String(stats.config_version);
    drawSparkline(stats.requests_per_second_history);
    const routes = stats.routes;
    if (!routes.some(r => r.name === state.route)) {
      state.route = (routes.find(r => r.requests > 0) || routes[0] || {}).name || null;
    }
    renderRoutes(routes);
    renderRouteSelect(routes);
    renderPhases();
    drawSpectrum(routes.find(r => r.name === state.route));
    renderDestinations(upstreams);
    renderCache(stats.cache);
    renderRateLimits(stats.rate_limits || []);
  }

  // ---- tables

  function renderRoutes(routes) {
    const body = $('routes').tBodies[0];
    const rows = routes.map(route => {
      const status = route.status;
      const total = route.latency.total;
      const errors = (status['5xx'] || 0) + (status.none || 0);
      const row = element('tr', { 'data-route': route.name, title: statusTitle(status) });
      if (route.name === state.route) row.className = 'selected';
      row.append(
        cell(route.name, 'name'),
        cell(formatCount(route.requests), 'requests'),
        cell(formatRate(route.requests_per_second['1s']), 'rate'),
        cell(formatRate(route.requests_per_second['10s'])),
        cell(formatRate(route.requests_per_second['60s'])),
        countCell(status['2xx']), countCell(status['3xx']), countCell(status['4xx']), countCell(status['5xx'], true),
        countCell(errors, true, 'errors'),
        cell(formatMicros(total.count, total.p50_us)), cell(formatMicros(total.count, total.p99_us)),
        cell(formatMicros(total.count, total.p999_us)), cell(formatMicros(total.count, total.max_us)));
      row.addEventListener('click', () => {
        state.route = route.name;
        refreshNow();
      });
      return row;
    });
    body.replaceChildren(...(rows.length ? rows : [emptyRow(14, 'No routes configured.')]));
  }

  function renderDestinations(destinations) {
    const body = $('destinations').tBodies[0];
    const rows = destinations.map(d => {
      const row = element('tr', { 'data-destination': d.address });
      const name = cell(d.address, 'name');
      if (d.draining) name.append(element('span', { class: 'badge' }, 'draining'));
      name.append(element('span', { class: 'sub' }, d.cluster));
      const outcomes = cell('', 'name');
      outcomes.append(element('span', {}, `response ${formatCount(d.outcomes.response || 0)}`));
      for (const [outcome, count] of Object.entries(d.outcomes)) {
        if (outcome !== 'response' && count > 0) outcomes.append(element('span', { class: 'outcome-bad' }, `${outcome} ${formatCount(count)}`));
      }
      row.append(name, cell(formatRate(d.requests_per_second['1s'])), cell(String(d.in_flight), 'in-flight'),
        cell(`${d.open_connections} / ${d.idle_connections}`, 'pool'), outcomes);
      return row;
    });
    body.replaceChildren(...(rows.length ? rows : [emptyRow(5, 'No destinations.')]));
  }

  /** The cache panel: L1 against its budget, L2 when Redis is configured, and per cached route its requests by outcome. */
  function renderCache(cache) {
    const routes = cache ? Object.entries(cache.routes || {}) : [];
    const on = routes.length > 0 || (cache && cache.l2);
    $('cache-body').hidden = !on;
    $('cache-state').textContent = on ? `(${cache.eviction} eviction)` : 'off: no route has a cache table';
    if (!on) return;
    $('cache-bytes').textContent = formatBytes(cache.bytes);
    $('cache-budget').textContent = formatBytes(cache.budget_bytes);
    $('cache-meter').style.width = `${cache.budget_bytes ? Math.min(100, 100 * cache.bytes / cache.budget_bytes) : 0}%`;
    $('cache-entries').textContent = formatCount(cache.entries);
    $('cache-evictions').textContent = formatCount(cache.evictions);
    $('cache-waiting').textContent = formatCount(cache.waiting);
    renderL2(cache.l2);
    // Columns are the outcomes the gateway reports, in its order: a new outcome shows up without a change here.
    const outcomes = [];
    for (const [, counts] of routes) for (const outcome of Object.keys(counts)) if (!outcomes.includes(outcome)) outcomes.push(outcome);
    const head = $('cache-routes').tHead.rows[0];
    const labels = ['Route', ...outcomes, 'Lookups', 'Hit ratio'];
    if (head.cells.length !== labels.length || labels.some((l, i) => head.cells[i].dataset.label !== l)) {
      head.replaceChildren(...labels.map((label, i) => {
        const th = element('th', { 'data-label': label }, i > 0 && i <= outcomes.length ? label.toUpperCase() : label);
        if (i === 0) th.className = 'name';
        if (label === 'Hit ratio') th.title = 'hit ÷ every request the route\'s cache decided on';
        return th;
      }));
    }
    const rows = routes.map(([name, counts]) => {
      const lookups = Object.values(counts).reduce((sum, n) => sum + n, 0);
      const row = element('tr', { 'data-cache-route': name });
      row.append(cell(name, 'name'));
      for (const outcome of outcomes) {
        const td = countCell(counts[outcome]);
        td.dataset.outcome = outcome;
        row.append(td);
      }
      const total = cell(formatCount(lookups), 'lookups');
      const ratio = cell(lookups ? `${(100 * (counts.hit || 0) / lookups).toFixed(1)} %` : '–', 'hit-ratio');
      row.append(total, ratio);
      return row;
    });
    $('cache-routes').tBodies[0].replaceChildren(...(rows.length ? rows : [emptyRow(labels.length, 'No route has a cache table.')]));
  }

  function renderL2(l2) {
    const line = $('cache-l2');
    line.hidden = !l2;
    if (!l2) return;
    const connected = element('span', { 'data-l2': 'connected', class: l2.connected ? 'good' : 'outcome-bad' }, l2.connected ? 'connected' : 'not connected');
    const breaker = element('span', { 'data-l2': 'breaker', class: l2.breaker === 'closed' ? '' : 'outcome-bad' }, `breaker ${l2.breaker.replace('_', '-')}`);
    const parts = [element('b', {}, 'L2 Redis'), ` (${l2.namespace}): `, connected, ' · ', breaker, ` (opened ${formatCount(l2.breaker_opened)}×)`];
    Object.entries(l2.requests).forEach(([result, count], i) =>
      parts.push(i ? ', ' : ' · reads ', element('span', { 'data-l2': result }, `${result} ${formatCount(count)}`)));
    parts.push(' · ', element('span', { 'data-l2': 'writes' }, `writes ${formatCount(l2.writes)}`),
      ' · ', element('span', { 'data-l2': 'errors', class: l2.errors ? 'outcome-bad' : '' }, `errors ${formatCount(l2.errors)}`),
      ' · ', element('span', { 'data-l2': 'purges_received' }, `purges received ${formatCount(l2.purges_received)}`));
    line.replaceChildren(...parts);
  }

  /** One row per route and rate-limit policy on it, with what the policy allows and how many requests it answered 429. */
  function renderRateLimits(limits) {
    const rows = limits.map(limit => {
      const row = element('tr', { 'data-rate-limit': `${limit.route}/${limit.policy}` });
      const rule = `${formatCount(limit.rate)} per ${limit.period}` + (limit.burst !== null && limit.burst !== undefined ? `, burst ${formatCount(limit.burst)}` : '');
      const policy = cell(limit.policy, 'name');
      policy.append(element('span', { class: 'sub' }, limit.algorithm));
      row.append(cell(limit.route, 'name'), policy, cell(rule, 'name'), cell(limit.key, 'name'), countCell(limit.rejected, true, 'rejected'));
      return row;
    });
    $('rate-limits').tBodies[0].replaceChildren(...(rows.length ? rows : [emptyRow(5, 'No route has a rate limit.')]));
  }

  function renderRouteSelect(routes) {
    const select = $('route-select');
    const names = routes.map(r => r.name);
    if (select.options.length !== names.length || names.some((n, i) => select.options[i].value !== n)) {
      select.replaceChildren(...names.map(n => element('option', { value: n }, n)));
    }
    if (state.route !== null) select.value = state.route;
  }

  $('route-select').addEventListener('change', event => {
    state.route = event.target.value;
    refreshNow();
  });

  function renderPhases() {
    const holder = $('phases');
    if (holder.childElementCount) return;
    for (const phase of PHASES) {
      const box = element('input', { type: 'checkbox', value: phase.key });
      box.checked = state.phases.has(phase.key);
      box.addEventListener('change', () => {
        if (box.checked) state.phases.add(phase.key); else state.phases.delete(phase.key);
        refreshNow();
      });
      const swatch = element('span', { class: 'swatch' });
      swatch.style.background = phase.color;
      holder.append(element('label', {}, box, swatch, phase.label));
    }
  }

  /** Redraws from the last data at once after a click, without waiting for the next poll. */
  function refreshNow() {
    if (state.lastData) render(...state.lastData);
  }

  // ---- charts

  function drawSparkline(history) {
    const svg = $('sparkline');
    const width = 720, height = 130, top = 8, bottom = 18, slots = 60;
    const peak = Math.max(0, ...history);
    const max = niceCeiling(peak || 1);
    const x = i => (slots - history.length + i + 1) / slots * width;
    const y = v => top + (1 - v / max) * (height - top - bottom);
    const children = [
      svgElement('line', { class: 'grid', x1: 0, x2: width, y1: y(max), y2: y(max) }),
      svgElement('line', { class: 'axis', x1: 0, x2: width, y1: y(0), y2: y(0) }),
      svgElement('text', { x: 4, y: y(max) + 12 }, formatRate(max)),
      svgElement('text', { x: 4, y: height - 4 }, '−60 s'),
      svgElement('text', { x: width - 4, y: height - 4, 'text-anchor': 'end' }, 'now'),
    ];
    if (history.length > 0) {
      const points = history.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      const first = x(0).toFixed(1), base = y(0).toFixed(1);
      children.push(svgElement('polygon', { class: 'spark-area', points: `${first},${base} ${points.join(' ')} ${width},${base}` }));
      children.push(svgElement('polyline', { class: 'spark-line', points: points.join(' '), 'data-points': history.length }));
    }
    svg.replaceChildren(...children);
    $('sparkline-peak').textContent = history.length ? `(peak ${formatRate(peak)}/s)` : '';
  }

  /** The classic HdrHistogram plot: latency against percentile on a log axis of 1/(1 − p), 0 % … 99.99 % …, and the max. */
  function drawSpectrum(route) {
    const svg = $('spectrum');
    const width = 760, height = 330, left = 64, right = 24, top = 14, bottom = 40;
    const plotWidth = width - left - right, plotHeight = height - top - bottom;
    const series = route ? PHASES.filter(p => state.phases.has(p.key))
      .map(p => ({ phase: p, summary: route.latency[p.key] }))
      .filter(s => s.summary && s.summary.count > 0 && (s.summary.spectrum || []).length > 0) : [];
    if (series.length === 0) {
      svg.replaceChildren(svgElement('text', { class: 'placeholder', x: width / 2, y: height / 2, 'text-anchor': 'middle' },
        route ? `No requests on route ${route.name} yet.` : 'No route selected.'));
      $('spectrum-note').textContent = '';
      return;
    }
    const inner = s => s.summary.spectrum.filter(point => point.percentile < 100);
    const reach = Math.max(4, ...series.flatMap(s => inner(s).map(point => Math.ceil(decades(point.percentile) - 1e-9))));
    const xDecades = Math.min(reach, 7);
    const yMax = niceCeiling(Math.max(...series.map(s => s.summary.max_us)) || 1);
    const x = p => left + Math.min(decades(p), xDecades) / xDecades * plotWidth;
    const y = v => top + (1 - v / yMax) * plotHeight;
    const children = [];
    for (let d = 0; d <= xDecades; d++) {
      const px = left + d / xDecades * plotWidth;
      children.push(svgElement('line', { class: 'grid', x1: px, x2: px, y1: top, y2: top + plotHeight }));
      children.push(svgElement('text', { x: px, y: top + plotHeight + 16, 'text-anchor': 'middle' }, percentileLabel(d)));
    }
    for (let i = 0; i <= 4; i++) {
      const value = yMax * i / 4, py = y(value);
      children.push(svgElement('line', { class: i === 0 ? 'axis' : 'grid', x1: left, x2: left + plotWidth, y1: py, y2: py }));
      children.push(svgElement('text', { x: left - 6, y: py + 4, 'text-anchor': 'end' }, i === 0 ? '0' : formatMicros(1, value)));
    }
    children.push(svgElement('text', { x: left + plotWidth / 2, y: height - 4, 'text-anchor': 'middle' }, 'percentile (log scale of 1 / (1 − p))'));
    for (const { phase, summary } of series) {
      const points = inner({ summary }).map(point => `${x(point.percentile).toFixed(1)},${y(point.value_us).toFixed(1)}`);
      children.push(svgElement('polyline', {
        class: 'spectrum-line', stroke: phase.color, points: points.join(' '), 'data-phase': phase.key, 'data-points': points.length,
      }));
      const maxY = y(summary.max_us);
      children.push(svgElement('line', { class: 'max-line', stroke: phase.color, x1: left, x2: left + plotWidth, y1: maxY, y2: maxY }));
      children.push(svgElement('text', { x: left + plotWidth - 4, y: maxY - 4, 'text-anchor': 'end' }, `max ${formatMicros(1, summary.max_us)}`));
    }
    svg.replaceChildren(...children);
    const total = route.latency.total;
    $('spectrum-note').textContent = `${route.name}: ${formatCount(total.count)} requests · mean ${formatMicros(total.count, total.mean_us)}` +
      ` · p50 ${formatMicros(total.count, total.p50_us)} · p90 ${formatMicros(total.count, total.p90_us)}` +
      ` · p99 ${formatMicros(total.count, total.p99_us)} · p99.9 ${formatMicros(total.count, total.p999_us)}` +
      ` · p99.99 ${formatMicros(total.count, total.p9999_us)} · max ${formatMicros(total.count, total.max_us)} (total)`;
  }

  /** log10(1 / (1 − p)): 0 at 0 %, 1 at 90 %, 2 at 99 %, ... */
  function decades(percentile) {
    return Math.log10(1 / (1 - percentile / 100));
  }

  function percentileLabel(d) {
    return d === 0 ? '0%' : `${(100 - 100 / 10 ** d).toFixed(Math.max(0, d - 2))}%`;
  }

  // ---- formatting and DOM helpers

  function niceCeiling(value) {
    const magnitude = 10 ** Math.floor(Math.log10(value));
    for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * magnitude) return step * magnitude;
    return 10 * magnitude;
  }

  function formatRate(value) {
    return value < 10 ? value.toFixed(1) : formatCount(Math.round(value));
  }

  function formatCount(value) {
    return Number(value).toLocaleString('en-US');
  }

  function formatBytes(bytes) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let value = bytes, unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
  }

  function formatMicros(count, micros) {
    if (!count) return '–';
    if (micros < 1000) return `${Math.round(micros)} µs`;
    if (micros < 1_000_000) return `${(micros / 1000).toFixed(micros < 10_000 ? 2 : 1)} ms`;
    return `${(micros / 1_000_000).toFixed(2)} s`;
  }

  function statusTitle(status) {
    return Object.entries(status).map(([code, count]) => `${code === 'none' ? 'no status' : code}: ${count}`).join(', ');
  }

  function clock(date) {
    return date.toLocaleTimeString('en-GB', { hour12: false });
  }

  function cell(text, className) {
    return element('td', className ? { class: className } : {}, text);
  }

  function countCell(value, bad, className) {
    const td = cell(formatCount(value || 0), className);
    td.classList.add(!value ? 'zero' : bad ? 'bad' : 'count');
    return td;
  }

  function emptyRow(columns, text) {
    const row = element('tr', {});
    row.append(element('td', { class: 'empty', colspan: columns }, text));
    return row;
  }

  function element(name, attributes, ...children) {
    const node = document.createElement(name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    node.append(...children);
    return node;
  }

  function svgElement(name, attributes, text) {
    const node = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  refresh();
})();
