// Renders the JSON report of an audit (WORKBOOK.md, «JSON report») as HTML:
// per course a summary row (code, title, total, band, indicator points), and
// the course's detail: indicators, articulations and total, each expandable
// to its trace (formula, explanation, branch, values used with their cells,
// threshold and source, citation), the findings with their cells, and what
// changes under the other reading. Shared by the upload page and the Excel
// task pane; no framework, only DOM calls (no innerHTML with report text).

export const SEVERITY = {
  error: { label: 'Errore', order: 0 },
  violation: { label: 'Violazione di legge', order: 1 },
  warning: { label: 'Avviso', order: 2 },
  info: { label: 'Informazione', order: 3 },
};

// The bands' cuts and labels are the rule pack's (GET /api/info, bands.js);
// none is written here.
import { bandBadge, bandText, shortLabel } from './bands.js';
import { scoresChart } from './chart.js';

export { bandBadge };

const READINGS = { tables: 'delle tabelle', coherent: 'coerente', literal: 'letterale' };
const FORMS = { coherent: 'coerente', printed: 'come stampata' };

const THRESHOLD_SOURCES = {
  default: 'valore del decreto',
  override: "valore fornito per questa verifica (auditor o simulazione)",
  corrected: 'corretta per area (nota 3)',
};

// num writes a number the Italian way with up to `digits` decimals.
export function num(v, digits = 2) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return Number(v).toLocaleString('it-IT', { minimumFractionDigits: 0, maximumFractionDigits: digits });
}

// fixed writes a number with exactly `digits` decimals (totals, points).
export function fixed(v, digits = 2) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return Number(v).toLocaleString('it-IT', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

// plural picks the Italian singular or plural after a count: "1 errore",
// "3 errori".
export function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

export function readingLabel(r) {
  return READINGS[r] || r || '';
}

// h builds an element: h('td', {class: 'x', dataset: {...}}, child, 'text', ...).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// splitMessage separates a finding's message into the text, without the
// leading "Sheet!A1: " (the cell has its own column), and the legal source
// (after the last "Fonte: ").
export function splitMessage(message, cell) {
  let text = message || '';
  if (cell && text.startsWith(cell + ': ')) text = text.slice(cell.length + 2);
  let source = '';
  const at = text.lastIndexOf('Fonte: ');
  if (at >= 0) {
    source = text.slice(at + 'Fonte: '.length).trim().replace(/\.$/, '');
    text = text.slice(0, at).trim();
  }
  return { text, source };
}

function slug(s) {
  return String(s).replace(/[^A-Za-z0-9_-]+/g, '-');
}

function severityBadge(sev) {
  const s = SEVERITY[sev] || { label: sev };
  return h('span', { class: `rp-sev rp-sev-${slug(sev)}`, dataset: { severity: sev } }, s.label);
}

// expandReport gives a compact report (validate.Report) back its texts and
// the values it gives by reference, so that each trace reads as
// compute.Trace does: quantity, label, formula, explanation, branch,
// citation, value, inputs with symbol, field, origin, value and cell,
// threshold with code, value, source, default and citation, notes; each
// articulation its indicator, each course its band_detail and its
// sensitivity list with choice, alternative, label, delta, band and
// band_changed. The rules are validate.Report.Resolve's:
// - a trace's text (report.texts.traces[t.text]) names the ids of its
//   inputs', threshold's and notes' texts; "of" the number of its owner
//   that is its value when the trace has no "value";
// - the trace's "inputs" are its inputs' values in order (all null when
//   absent); null is the owner's number named in the text's "inputs_of",
//   else the course's value of the input's "from" (a trace's quantity or a
//   threshold's code; a name with two values has none);
// - an input with a field is in report.columns[field] on the course's row,
//   unless the trace lists "cells" ("" for none);
// - a threshold without value is the articulation's, without source
//   "default".
// A report without texts is returned as it is.
export function expandReport(report) {
  const texts = report && report.texts;
  if (!texts) return report;
  const tr = texts.traces || {};
  const ins = texts.inputs || {};
  const ths = texts.thresholds || {};
  const notes = texts.notes || {};
  const choices = texts.choices || {};
  const bands = texts.bands || {};
  const packIndicators = texts.indicators || {};
  const columns = report.columns || {};
  const isNum = (v) => typeof v === 'number';

  const course = (c) => {
    const articulations = (c.articulations || []).map((a) => ({ ...a }));
    const indicators = (c.indicators || []).map((i) => ({ ...i }));
    // Each trace with its owner's numbers.
    const owned = [];
    for (const a of articulations) {
      if (!isNum(a.indicator) && c.rule_pack && packIndicators[c.rule_pack]) {
        const n = packIndicators[c.rule_pack][String(a.number)];
        if (isNum(n)) a.indicator = n;
      }
      const own = { result: a.result, score: a.score, points: a.points, weight: a.weight, threshold: a.threshold };
      a.traces = (a.traces || []).map((t) => { const o = { t, own, out: {} }; owned.push(o); return o; });
    }
    for (const i of indicators) {
      if (i.trace) { const o = { t: i.trace, own: { points: i.points }, out: {} }; owned.push(o); i.trace = o; }
    }
    let total = null;
    if (c.total_trace) { total = { t: c.total_trace, own: { total: c.total }, out: {} }; owned.push(total); }

    // Values, thresholds and notes; then the course's values by name.
    const byName = new Map();
    const name = (k, v) => {
      if (!k || !isNum(v)) return;
      if (!byName.has(k)) byName.set(k, v);
      else if (byName.get(k) !== null && !Object.is(byName.get(k), v)) byName.set(k, null);
    };
    for (const o of owned) {
      const { t, own } = o;
      const text = tr[t.text];
      if (!text) { o.out = { ...t }; continue; }
      const { of, inputs: _i, inputs_of: _o, threshold: thID, notes: noteIDs, ...words } = text;
      const out = { ...words, value: isNum(t.value) ? t.value : own[of] };
      if (thID) {
        const th = { ...(ths[thID] || {}), value: own.threshold, source: 'default' };
        if (t.threshold) {
          if (isNum(t.threshold.value)) th.value = t.threshold.value;
          if (t.threshold.source) th.source = t.threshold.source;
          if (t.threshold.correction) th.correction = t.threshold.correction;
        }
        out.threshold = th;
      }
      if (t.unclamped !== undefined && t.unclamped !== null) out.unclamped = t.unclamped;
      if (noteIDs) out.notes = noteIDs.map((n) => notes[n] ?? n);
      o.out = out;
      name(out.quantity, out.value);
      if (out.threshold) name(out.threshold.code, out.threshold.value);
    }
    for (const o of owned) {
      const { t, own, out } = o;
      const text = tr[t.text];
      if (!text) continue;
      const ids = text.inputs || [];
      if (!ids.length) continue;
      out.inputs = ids.map((id, k) => {
        const b = ins[id] || {};
        const given = t.inputs ? t.inputs[k] : null;
        let value = given;
        if (!isNum(value)) {
          const of = text.inputs_of ? text.inputs_of[k] : '';
          value = of ? own[of] : byName.get(b.from);
        }
        const input = { ...b, value };
        if (t.cells) {
          if (t.cells[k]) input.cell = t.cells[k];
        } else if (b.field && columns[b.field]) {
          input.cell = columns[b.field] + String(c.row);
        }
        return input;
      });
    }

    const out = { ...c, articulations: articulations.map((a) => ({ ...a, traces: a.traces.map((o) => o.out) })) };
    out.indicators = indicators.map((i) => (i.trace ? { ...i, trace: i.trace.out } : i));
    if (total) out.total_trace = total.out;
    if (c.band) {
      const b = bands[c.band_detail || c.band];
      if (b) out.band_detail = { ...b };
    }
    if (Array.isArray(c.sensitivity)) {
      const band = c.band || '';
      const scoreOf = (n) => articulations.find((a) => a.number === n)?.score ?? null;
      out.sensitivity = c.sensitivity.map((s) => {
        const text = choices[s.id] || {};
        const alt = { choice: text.choice, alternative: text.alternative, label: text.label, total: s.total };
        alt.delta = s.delta !== undefined ? s.delta : (isNum(s.total) && isNum(c.total) ? s.total - c.total : null);
        alt.band = s.band !== undefined ? s.band : band;
        alt.band_changed = s.band_changed !== undefined ? s.band_changed : alt.band !== band;
        if (s.changes) alt.changes = s.changes.map((ch) => ({ number: ch.number, score: ch.score !== undefined ? ch.score : scoreOf(ch.number), alternative: ch.alternative }));
        return alt;
      });
    }
    return out;
  };
  return { ...report, courses: (report.courses || []).map(course) };
}

// cellMap maps each input field of a course to the cell it was read from,
// as the report's traces name it.
function cellMap(course) {
  const map = new Map();
  for (const a of course.articulations || []) {
    for (const t of a.traces || []) {
      for (const i of t.inputs || []) if (i.field && i.cell) map.set(i.field, i.cell);
    }
  }
  return map;
}

// groupArticulations lists, for each indicator, its articulations (by the
// report's "indicator" number).
function groupArticulations(course) {
  const arts = [...(course.articulations || [])].sort((a, b) => a.number - b.number);
  return (course.indicators || []).map((ind) => arts.filter((a) => a.indicator === ind.number));
}

function inputLine(input, cells) {
  const where = input.cell || (input.field && cells.get(input.field)) || input.from || '';
  const name = input.field || input.symbol;
  const parts = [h('code', null, input.symbol), ' = ', h('strong', null, num(input.value, 4))];
  if (input.field && input.symbol !== input.field) parts.push(' ', h('span', { class: 'rp-muted' }, `(${name})`));
  if (where) {
    parts.push(' — ');
    if (/^[^!]+![A-Z]+\d+$/.test(where)) parts.push(h('span', { class: 'rp-cell', dataset: { cell: where } }, where));
    else parts.push(where);
  }
  return h('li', null, parts);
}

// traceBlock renders one trace (compute.Trace) as a definition list.
export function traceBlock(t, cells = new Map()) {
  const dl = h('dl', { class: 'rp-trace-body' });
  const row = (term, ...desc) => {
    dl.append(h('dt', null, term), h('dd', null, ...desc));
  };
  if (t.formula) row('Formula', h('code', null, t.formula));
  if (t.branch) row('Intervallo applicato', t.branch + (t.erratum ? ` (errata ${t.erratum}: ${FORMS[t.erratum_form] || t.erratum_form})` : ''));
  if (t.explanation) row('Spiegazione', t.explanation);
  if (t.inputs && t.inputs.length) row('Valori usati', h('ul', { class: 'rp-inputs' }, t.inputs.map((i) => inputLine(i, cells))));
  if (t.threshold) {
    const th = t.threshold;
    const extra = [];
    if (th.default !== undefined && th.default !== null && th.default !== th.value) extra.push(`decreto: ${num(th.default, 4)}`);
    if (th.correction && th.correction.formula) extra.push(`correzione: ${th.correction.formula}`);
    if (th.note) extra.push(th.note);
    row('Soglia', `${th.code} = ${num(th.value, 4)} (${THRESHOLD_SOURCES[th.source] || th.source})`,
      extra.length ? ' — ' + extra.join('; ') : '', th.citation ? h('br') : null, th.citation ? h('span', { class: 'rp-muted' }, th.citation) : null);
  }
  if (t.unclamped !== undefined && t.unclamped !== null) row('Valore prima di riportarlo nella scala 0–100', num(t.unclamped, 4));
  if (t.notes && t.notes.length) row('Note', h('ul', null, t.notes.map((n) => h('li', null, n))));
  if (t.citation) row('Fonte', t.citation);
  return dl;
}

// traceDetails wraps traces in an expandable <details>.
function traceDetails(summaryText, traces, cells, extra) {
  const d = h('details', { class: 'rp-trace' }, h('summary', null, summaryText));
  for (const t of traces) {
    d.append(h('h5', { class: 'rp-trace-title' }, `${t.quantity} = ${num(t.value, 4)}`, t.label ? ` — ${t.label}` : ''));
    d.append(traceBlock(t, cells));
  }
  if (extra) d.append(extra);
  return d;
}

function cellControl(f, onCellClick) {
  if (!f.cell) return h('span', { class: 'rp-muted' }, '—');
  if (!onCellClick) return h('span', { class: 'rp-cell', dataset: { cell: f.cell } }, f.cell);
  return h('button', { type: 'button', class: 'rp-cell-link', dataset: { cell: f.cell },
    'aria-label': `Seleziona la cella ${f.cell}`, onclick: () => onCellClick(f.cell) }, f.cell);
}

function bySeverity(findings) {
  return [...findings].sort((a, b) => (SEVERITY[a.severity]?.order ?? 9) - (SEVERITY[b.severity]?.order ?? 9));
}

// findingsList is the narrow (task pane) form of the findings: one item
// each, severity and cell first, then the message, the rule and the source.
function findingsList(findings, { caption, onCellClick }) {
  const list = h('ul', { class: 'rp-finding-list', 'aria-label': caption || 'Rilievi' });
  for (const f of bySeverity(findings)) {
    const { text, source } = splitMessage(f.message, f.cell);
    list.append(h('li', { class: `rp-finding rp-finding-${slug(f.severity)}`, dataset: { rule: f.rule, cell: f.cell || '' } },
      h('div', { class: 'rp-finding-head' }, severityBadge(f.severity), ' ', cellControl(f, onCellClick)),
      h('div', null, text),
      h('div', { class: 'rp-muted rp-finding-meta' }, 'Regola ', h('code', null, f.rule), source ? ` — Fonte: ${source}` : '')));
  }
  return list;
}

function findingsTable(findings, { caption, onCellClick, compact }) {
  if (compact) return findingsList(findings, { caption, onCellClick });
  const sorted = bySeverity(findings);
  const table = h('table', { class: 'table table-sm rp-table rp-findings' },
    caption ? h('caption', null, caption) : null,
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Gravità'), h('th', { scope: 'col' }, 'Regola'), h('th', { scope: 'col' }, 'Cella'),
      h('th', { scope: 'col' }, 'Rilievo'), h('th', { scope: 'col' }, 'Fonte'))));
  const body = h('tbody');
  for (const f of sorted) {
    const { text, source } = splitMessage(f.message, f.cell);
    const cell = cellControl(f, onCellClick);
    body.append(h('tr', { class: `rp-finding rp-finding-${slug(f.severity)}`, dataset: { rule: f.rule, cell: f.cell || '' } },
      h('td', null, severityBadge(f.severity)), h('td', null, h('code', null, f.rule)), h('td', null, cell),
      h('td', null, text), h('td', { class: 'rp-source' }, source || '—')));
  }
  table.append(body);
  return h('div', { class: 'table-responsive' }, table);
}

// countBySeverity counts findings of the course and of the workbook.
export function countBySeverity(report) {
  const n = { error: 0, violation: 0, warning: 0, info: 0 };
  const add = (fs) => { for (const f of fs || []) n[f.severity] = (n[f.severity] || 0) + 1; };
  add(report.findings);
  for (const c of report.courses || []) add(c.findings);
  return n;
}

function summaryTable(report, indicatorNames, hasTitles, bands) {
  const head = h('tr', null,
    h('th', { scope: 'col' }, 'Percorso'),
    hasTitles ? h('th', { scope: 'col' }, 'Titolo') : null,
    h('th', { scope: 'col', class: 'rp-num' }, 'Totale'),
    h('th', { scope: 'col' }, 'Fascia'),
    indicatorNames.map((n) => h('th', { scope: 'col', class: 'rp-num rp-ind-head' }, n)),
    h('th', { scope: 'col', class: 'rp-num' }, 'Rilievi'));
  const body = h('tbody');
  for (const c of report.courses || []) {
    const byName = new Map((c.indicators || []).map((i) => [i.name, i]));
    body.append(h('tr', { class: 'rp-course-row', dataset: { code: c.code, total: c.total ?? '', band: c.band ?? '' } },
      h('th', { scope: 'row' }, h('a', { href: `#percorso-${slug(c.code)}` }, c.code)),
      hasTitles ? h('td', null, c.title || '') : null,
      h('td', { class: 'rp-num rp-total' }, c.total === null || c.total === undefined ? 'non calcolato' : fixed(c.total)),
      h('td', null, bandBadge(c.band, bands, c.band_detail)),
      indicatorNames.map((n) => {
        const ind = byName.get(n);
        if (!ind) return h('td', { class: 'rp-num' }, '—');
        return h('td', { class: 'rp-num' }, fixed(ind.points), ind.zeroed ? h('span', { class: 'rp-muted' }, ' (azzerato)') : null);
      }),
      h('td', { class: 'rp-num' }, String((c.findings || []).length))));
  }
  return h('div', { class: 'table-responsive' }, h('table', { class: 'table table-sm rp-table rp-summary' },
    h('caption', null, indicatorNames.length
      ? 'Punteggio di ogni percorso: totale su 100, fascia e punti di ciascun indicatore; il dettaglio di ogni percorso segue.'
      : 'Punteggio di ogni percorso: totale su 100 e fascia; il dettaglio di ogni percorso segue.'),
    h('thead', null, head), body));
}

function totalTrace(course, cells) {
  if (!course.total_trace) return null;
  const b = course.band_detail;
  const extra = b ? h('dl', { class: 'rp-trace-body' },
    h('dt', null, 'Fascia'), h('dd', null, `${b.label}: ${b.rule}`, h('br'), h('span', { class: 'rp-muted' }, b.citation))) : null;
  return traceDetails('Come è calcolato il totale', [course.total_trace], cells, extra);
}

function indicatorTrace(ind, arts, cells) {
  if (!ind.trace) return null;
  const items = (arts || []).map((a) =>
    h('li', null, `Articolazione ${a.number}: `, h('strong', null, fixed(a.points, 4)), ` punti (peso ${num(a.weight)})`));
  const extra = items.length ? h('dl', { class: 'rp-trace-body' },
    h('dt', null, 'Articolazioni'), h('dd', null, h('ul', { class: 'rp-inputs' }, items))) : null;
  return traceDetails(`Dettaglio di ${ind.name}`, [ind.trace], cells, extra);
}

// articulationsList is the narrow (task pane) form of the articulations.
function articulationsList(course, cells) {
  const list = h('ul', { class: 'rp-art-list', 'aria-label': `Articolazioni di ${course.code}` });
  for (const a of course.articulations || []) {
    const label = (a.traces || []).find((t) => t.quantity === `R${a.number}`)?.label || '';
    list.append(h('li', { class: 'rp-art-row', dataset: { number: a.number } },
      h('div', null, h('strong', null, `${a.number}. `), label),
      h('div', { class: 'rp-muted' }, `R ${num(a.result, 2)} · S ${a.threshold === null || a.threshold === undefined ? '—' : num(a.threshold, 2)}`,
        ` · P ${num(a.score, 2)} · peso ${num(a.weight, 2)} · `, h('strong', null, `${fixed(a.points)} punti`)),
      (a.traces || []).length ? traceDetails(`Traccia di R${a.number}, P${a.number} e punti`, a.traces, cells) : null));
  }
  return list;
}

function articulationsTable(course, cells, compact) {
  if (compact) return articulationsList(course, cells);
  const body = h('tbody');
  for (const a of course.articulations || []) {
    const label = (a.traces || []).find((t) => t.quantity === `R${a.number}`)?.label || '';
    const cellList = (a.cells || []).length
      ? h('span', null, (a.cells || []).map((c, i) => [i ? ', ' : '', h('span', { class: 'rp-cell', dataset: { cell: c } }, c)]))
      : h('span', { class: 'rp-muted' }, '—');
    body.append(h('tr', { class: 'rp-art-row', dataset: { number: a.number } },
      h('th', { scope: 'row' }, String(a.number)),
      h('td', null, label, h('br'), h('span', { class: 'rp-muted' }, 'Celle: '), cellList,
        (a.traces || []).length ? traceDetails(`Traccia di R${a.number}, P${a.number} e punti`, a.traces, cells) : null),
      h('td', { class: 'rp-num' }, num(a.result, 2)),
      h('td', { class: 'rp-num' }, a.threshold === null || a.threshold === undefined ? '—' : num(a.threshold, 2)),
      h('td', { class: 'rp-num' }, num(a.score, 2)),
      h('td', { class: 'rp-num' }, num(a.weight, 2)),
      h('td', { class: 'rp-num' }, fixed(a.points))));
  }
  return h('div', { class: 'table-responsive' }, h('table', { class: 'table table-sm rp-table rp-arts' },
    h('caption', null, `Articolazioni di ${course.code}: risultato R, soglia S, punteggio P (0–100), peso e punti.`),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'N.'), h('th', { scope: 'col' }, 'Articolazione'),
      h('th', { scope: 'col', class: 'rp-num' }, 'R'), h('th', { scope: 'col', class: 'rp-num' }, 'S'),
      h('th', { scope: 'col', class: 'rp-num' }, 'P'), h('th', { scope: 'col', class: 'rp-num' }, 'Peso'),
      h('th', { scope: 'col', class: 'rp-num' }, 'Punti'))),
    body));
}

// sensitivityBlock lists the course's total under each single alternative
// choice (each erratum read the other way, each other interpretation).
function sensitivityBlock(course, bandsInfo) {
  const alts = course.sensitivity;
  if (!Array.isArray(alts) || alts.length === 0) return null;
  const moving = alts.filter((a) => a.delta !== 0);
  const bands = alts.filter((a) => a.band_changed);
  const summary = `Con altre letture del decreto: ${plural(moving.length, 'scelta cambia', 'scelte cambiano')} il totale`
    + (bands.length ? `, ${plural(bands.length, 'cambia', 'cambiano')} la fascia` : ', nessuna la fascia');
  const list = h('ul', { class: 'rp-inputs' }, alts.map((a) => h('li', null,
    `${a.label}: totale ${a.total === null ? 'non calcolabile' : fixed(a.total)}`,
    a.delta !== null && a.delta !== undefined ? ` (${a.delta > 0 ? '+' : a.delta < 0 ? '−' : ''}${num(Math.abs(a.delta), 3)})` : '',
    a.band_changed ? ` — fascia: ${shortLabel(bandText(bandsInfo, a.band))}` : '')));
  return h('details', { class: 'rp-trace rp-sensitivity' }, h('summary', null, summary), list);
}

function femaleBlock(course) {
  const f = course.female_indicator;
  if (!f) return null;
  if (f.computable === false) {
    const missing = f.missing && f.missing.length ? ` (mancano: ${f.missing.join(', ')})` : '';
    return h('p', { class: 'rp-female' }, 'Indicatore studentesse (parte B): non calcolabile', f.reason ? ` — ${f.reason}` : '', missing, '.');
  }
  return h('p', { class: 'rp-female' }, 'Indicatore studentesse (parte B): risultato ', h('strong', null, num(f.result, 2)),
    ', punteggio ', h('strong', null, num(f.score, 2)), '.');
}

function courseSection(course, { onCellClick, headingLevel, compact, bands }) {
  const cells = cellMap(course);
  const groups = groupArticulations(course);
  const hn = `h${headingLevel}`;
  const sec = h('section', { class: 'rp-course', id: `percorso-${slug(course.code)}`, dataset: { code: course.code },
    'aria-labelledby': `titolo-${slug(course.code)}` });
  sec.append(h(hn, { id: `titolo-${slug(course.code)}`, class: 'rp-course-title' }, `Percorso ${course.code}`,
    course.title ? ` — ${course.title}` : ''));
  const facts = h('p', { class: 'rp-course-facts' }, `Riga ${course.row} del foglio Percorsi. `);
  if (course.total === null || course.total === undefined) {
    facts.append(h('strong', null, 'Punteggio non calcolato'), ': vedere i rilievi di gravità «Errore».');
  } else {
    facts.append('Totale ', h('strong', { class: 'rp-total' }, fixed(course.total)), ' su 100 — ', bandBadge(course.band, bands, course.band_detail));
  }
  sec.append(facts);
  // Findings first: what is wrong comes before how the score is made.
  sec.append(courseFindings(course, { onCellClick, headingLevel, compact }));
  if (!compact && course.total !== null && course.total !== undefined && (course.indicators || []).length) {
    sec.append(scoresChart([course], bands, { id: `grafico-${slug(course.code)}`,
      caption: `Punti di ciascun indicatore di ${course.code} sulla scala del totale, con le linee delle fasce.` }));
  }
  const tt = course.total !== null && course.total !== undefined ? totalTrace(course, cells) : null;
  if (tt) sec.append(tt);
  if ((course.indicators || []).length) {
    const list = h('ul', { class: 'rp-indicators' });
    course.indicators.forEach((ind, i) => {
      list.append(h('li', null, h('span', { class: 'rp-ind-name' }, ind.name), ': ', h('strong', null, fixed(ind.points)),
        ` su ${num(ind.weight)}`, ind.zeroed ? ' (azzerato)' : '', indicatorTrace(ind, groups[i], cells)));
    });
    sec.append(h(`h${headingLevel + 1}`, null, 'Indicatori'), list);
  }
  sec.append(femaleBlock(course));
  if ((course.articulations || []).length) {
    sec.append(h(`h${headingLevel + 1}`, null, 'Articolazioni'), articulationsTable(course, cells, compact));
  }
  const sens = sensitivityBlock(course, bands);
  if (sens) sec.append(sens);
  return sec;
}

// courseFindings is a course's findings under their heading, by severity.
function courseFindings(course, { onCellClick, headingLevel, compact }) {
  const part = h('div', { class: 'rp-course-findings' }, h(`h${headingLevel + 1}`, null, 'Rilievi'));
  if ((course.findings || []).length) {
    part.append(findingsTable(course.findings, { caption: `Rilievi del percorso ${course.code}`, onCellClick, compact }));
  } else {
    part.append(h('p', { class: 'rp-muted' }, 'Nessun rilievo per questo percorso.'));
  }
  return part;
}

// renderReport replaces the content of container with the report.
// options: fileName (shown in the heading), onCellClick(cell) (findings'
// cells become buttons: the task pane selects the cell in Excel),
// headingLevel (of the course headings, default 3), compact (for the narrow
// task pane: no indicator columns in the summary, findings and
// articulations as lists instead of tables, no charts), bands (the pack's
// bands from GET /api/info: the badges' labels and the charts' lines).
export function renderReport(container, compactReport, options = {}) {
  const { fileName = '', onCellClick = null, headingLevel = 3, compact = false, bands = null } = options;
  const report = expandReport(compactReport);
  container.replaceChildren();
  const courses = report.courses || [];
  const scored = courses.filter((c) => c.total !== null && c.total !== undefined).length;
  const n = countBySeverity(report);
  const indicatorNames = [];
  if (!compact) {
    for (const c of courses) for (const i of c.indicators || []) if (!indicatorNames.includes(i.name)) indicatorNames.push(i.name);
  }
  const hasTitles = courses.some((c) => c.title);

  container.append(h('p', { class: 'rp-overview', id: 'rp-overview' },
    fileName ? [h('strong', null, fileName), ': '] : null,
    `${plural(courses.length, 'percorso', 'percorsi')}, ${scored} con punteggio; rilievi: ${plural(n.error, 'errore', 'errori')}, `,
    `${plural(n.violation, 'violazione di legge', 'violazioni di legge')}, ${plural(n.warning, 'avviso', 'avvisi')}, `,
    `${plural(n.info, 'informazione', 'informazioni')}. `,
    `Lettura ${readingLabel(report.reading)}`,
    report.errata ? ` (${Object.keys(report.errata).sort().map((k) => `${k} ${FORMS[report.errata[k]] || report.errata[k]}`).join(', ')})` : '',
    report.rule_pack ? `, pacchetto di regole ${report.rule_pack}` : '', '.',
    report.workbook_thresholds ? h('strong', { class: 'rp-whatif' }, ' Simulazione con le soglie del foglio Soglie: il risultato non vale come verifica.') : null));
  if (courses.length) container.append(summaryTable(report, indicatorNames, hasTitles, bands));
  if (!compact && courses.some((c) => c.total !== null && c.total !== undefined)) {
    container.append(scoresChart(courses, bands, { id: 'grafico-punteggi',
      caption: 'Punti degli indicatori di ogni percorso (la somma è il totale), con le linee delle fasce del pacchetto di regole.' }));
  }

  container.append(h(`h${headingLevel}`, { class: 'rp-section-title' }, 'Rilievi sul file'));
  if ((report.findings || []).length) {
    container.append(findingsTable(report.findings, { caption: 'Rilievi che non riguardano un singolo percorso', onCellClick, compact }));
  } else {
    container.append(h('p', { class: 'rp-muted' }, 'Nessun rilievo sul file nel suo insieme.'));
  }
  for (const c of courses) container.append(courseSection(c, { onCellClick, headingLevel, compact, bands }));
  if (report.file_sha256) {
    container.append(h('p', { class: 'rp-muted rp-stamp' }, `Impronta SHA-256 del file verificato: `, h('code', null, report.file_sha256),
      report.version ? ` — auditor ${report.version}` : ''));
  }
}
