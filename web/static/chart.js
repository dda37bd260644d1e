// The chart of the courses' scores: one horizontal bar per course on the
// 0–100 scale, made of its indicators' points (one colour and pattern each,
// with a legend), and a vertical line at each cut between the rule pack's
// bands (from GET /api/info, never written here), labelled with the total
// and the band that starts there. An SVG built with DOM calls; the summary
// table before it carries the same numbers as text.

import { shortLabel } from './bands.js';
import { fixed, h } from './report.js';

const SVG = 'http://www.w3.org/2000/svg';
const ROW = 26; // height of one course's row
const BAR = 16; // height of a bar
const LEFT = 110; // room for the course codes
const WIDTH = 720; // of the plot (0–100)
const TOP = 46; // room for the cuts' labels (two staggered rows)
const BOTTOM = 24; // room for the scale

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const x = (v) => LEFT + (Math.max(0, Math.min(100, v)) / 100) * WIDTH;

// scoresChart draws the scored courses (others are named in a note below
// it). bands is the pack's bands (its cuts and rows); caption says what
// the chart shows.
export function scoresChart(courses, bands, { caption = '', id = '' } = {}) {
  const scored = courses.filter((c) => c.total !== null && c.total !== undefined);
  const names = [];
  for (const c of scored) for (const i of c.indicators || []) if (!names.includes(i.name)) names.push(i.name);
  const height = TOP + scored.length * ROW + BOTTOM;
  const titleId = id ? `${id}-titolo` : undefined;
  const svg = s('svg', {
    class: 'rp-chart-svg', viewBox: `0 0 ${LEFT + WIDTH + 20} ${height}`, role: 'img',
    'aria-labelledby': titleId, width: '100%',
  });
  svg.append(s('title', { id: titleId }, caption || 'Punti degli indicatori di ogni percorso e linee delle fasce'));
  // Scale: 0, 10, …, 100.
  for (let v = 0; v <= 100; v += 10) {
    svg.append(s('line', { class: 'rp-chart-grid', x1: x(v), x2: x(v), y1: TOP - 4, y2: height - BOTTOM }),
      s('text', { class: 'rp-chart-scale', x: x(v), y: height - 8, 'text-anchor': 'middle' }, String(v)));
  }
  scored.forEach((c, row) => {
    const y = TOP + row * ROW + (ROW - BAR) / 2;
    const g = s('g', { class: 'rp-chart-course', 'data-code': c.code, 'data-total': c.total });
    g.append(s('text', { class: 'rp-chart-code', x: LEFT - 8, y: y + BAR - 3, 'text-anchor': 'end' }, c.code));
    let at = 0;
    for (const ind of c.indicators || []) {
      const pts = Number(ind.points) || 0;
      if (pts <= 0) continue;
      const k = names.indexOf(ind.name);
      g.append(s('rect', {
        class: `rp-chart-seg rp-chart-seg-${k % 6}`, x: x(at), y, width: Math.max(0, x(at + pts) - x(at)), height: BAR,
        'data-indicator': ind.name, 'data-points': pts,
      }, s('title', null, `${c.code} — ${ind.name}: ${fixed(pts)} punti`)));
      at += pts;
    }
    g.append(s('text', { class: 'rp-chart-total', x: x(at) + 4, y: y + BAR - 3 }, fixed(c.total)));
    svg.append(g);
  });
  // The bands' cuts, from the pack.
  const rows = (bands && bands.rows) || [];
  // Each label starts at its line (where its band begins); labels take two
  // rows in turn, so that close cuts do not overlap.
  ((bands && bands.cuts) || []).forEach((cut, i) => {
    const above = rows.find((r) => r.from === cut);
    const y = i % 2 === 0 ? TOP - 28 : TOP - 12;
    svg.append(s('g', { class: 'rp-chart-cut', 'data-cut': cut },
      s('line', { x1: x(cut), x2: x(cut), y1: y - 10, y2: height - BOTTOM }),
      s('text', { x: x(cut) + 4, y }, `${fixed(cut, 0)}${above ? ' — ' + shortLabel(above.label) : ''}`)));
  });
  const legend = h('ul', { class: 'rp-chart-legend' }, names.map((n, k) =>
    h('li', null, h('span', { class: `rp-chart-key rp-chart-seg-${k % 6}`, 'aria-hidden': 'true' }), n)));
  const unscored = courses.filter((c) => c.total === null || c.total === undefined).map((c) => c.code);
  return h('figure', { class: 'rp-chart', id: id || undefined },
    svg, legend,
    h('figcaption', { class: 'rp-muted' }, caption,
      bands && bands.citation ? ` Fasce: ${bands.citation}.` : '',
      unscored.length ? ` Senza punteggio, non nel grafico: ${unscored.join(', ')}.` : ''));
}
