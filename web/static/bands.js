// The outcome bands of a course total as the rule pack defines them
// (GET /api/info "bands": code, condition, label, the interval of totals
// each covers, and the cuts between them). Nothing of the bands is written
// here: the badges and the charts' lines come from the pack, so another
// pack's bands are shown as they are.

import { h } from './report.js';

// bandRow finds a band by its code in the pack's bands (null if unknown).
export function bandRow(bands, code) {
  if (!bands || !Array.isArray(bands.rows)) return null;
  return bands.rows.find((r) => r.code === code) || null;
}

// shortLabel is the part of the pack's label before its first colon
// («Almeno 60: adeguato» → «Almeno 60»), or the whole label.
export function shortLabel(label) {
  const s = String(label || '');
  const at = s.indexOf(':');
  return at > 0 ? s.slice(0, at).trim() : s;
}

// bandRank places a band among the pack's bands, by totals: "low" for the
// lowest, "high" for the highest, "mid" for those between, "" if unknown.
export function bandRank(bands, code) {
  if (!bands || !Array.isArray(bands.rows) || bands.rows.length === 0) return '';
  const i = bands.rows.findIndex((r) => r.code === code);
  if (i < 0) return '';
  if (i === bands.rows.length - 1) return 'high';
  if (i === 0) return 'low';
  return 'mid';
}

const MARKS = { high: '✓', mid: '!', low: '✕' };

// bandText is how a band is named in prose: the pack's full label, or the
// code when the pack's bands are not known.
export function bandText(bands, code) {
  const r = bandRow(bands, code);
  return r ? r.label : String(code || '');
}

// bandBadge shows a band with its colour, a mark and its name, so that
// colour is never the only cue; the full label and the condition are in its
// title. detail (a course's band_detail from the report) wins over the
// pack's bands for the label.
export function bandBadge(band, bands, detail) {
  if (!band) return h('span', { class: 'rp-band rp-band-none' }, 'Non valutato');
  const r = bandRow(bands, band);
  const label = (detail && detail.label) || (r && r.label) || band;
  const rule = (detail && detail.rule) || (r && r.when) || '';
  const rank = bandRank(bands, band);
  return h('span', { class: `rp-band rp-band-${rank || 'unknown'}`, title: rule ? `${label} (${rule})` : label, dataset: { band } },
    rank ? h('span', { class: 'rp-band-mark', 'aria-hidden': 'true' }, MARKS[rank]) : null, rank ? ' ' : '', shortLabel(label));
}
