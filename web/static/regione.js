// The regional page (/regione): choose or drop several workbooks (and
// earlier summaries), post them to /api/batch, show the regional summary
// (the foundation rule of CU 17/12/2015 art. 4 c. 3, the foundations by
// year, every course, the files not audited) and download it as a workbook
// (the server keeps nothing, so the same files are posted again with
// format=xlsx). No innerHTML with server text: only DOM calls.

import { batchAudit, getInfo, saveBlob, sizeText } from './api.js';
import { bandBadge, fixed, h, num, plural } from './report.js';

const $ = (id) => document.getElementById(id);

function table(caption, heads, rows, cls = '') {
  return h('div', { class: 'table-responsive' }, h('table', { class: `table table-sm rp-table ${cls}` },
    h('caption', null, caption),
    h('thead', null, h('tr', null, heads.map((t, i) => h('th', { scope: 'col', class: i === 0 ? '' : 'text-end' }, t)))),
    h('tbody', null, rows)));
}

function verdictsBlock(summary) {
  const verdicts = summary.foundation_verdicts || [];
  const rule = summary.foundation_rule;
  const sec = h('section', { class: 'mt-4', 'aria-labelledby': 'titolo-triennio' },
    h('h3', { id: 'titolo-triennio' }, 'Regola dei tre anni'));
  if (rule && rule.citation) sec.append(h('p', { class: 'small' }, rule.citation));
  if (!verdicts.length) {
    sec.append(h('p', null, 'Nessuna fondazione con percorsi valutati e anno indicato.'));
    return sec;
  }
  const list = h('ul', { class: 'rg-verdicts' });
  for (const v of verdicts) {
    const name = v.foundation_name ? `${v.foundation_code} — ${v.foundation_name}` : v.foundation_code;
    const li = h('li', { class: v.flagged ? 'rg-flagged' : '', dataset: { foundation: v.foundation_code, flagged: String(!!v.flagged) } },
      h('strong', null, name), ': ', v.flagged ? h('span', { class: 'rg-flag' }, 'segnalata') : null,
      v.flagged && v.explanation ? ' — ' : '', v.explanation || (v.flagged ? '' : 'non segnalata'));
    if (v.flagged && (v.causes || []).length) {
      li.append(h('ul', null, v.causes.map((c) =>
        h('li', null, `${c.year}: ${c.code} — ${fixed(c.total)}`, c.file ? ` (${c.file})` : ''))));
    }
    list.append(li);
  }
  sec.append(list);
  return sec;
}

function foundationsBlock(summary) {
  const rows = (summary.foundations || []).map((f) => h('tr', { class: 'rg-foundation-row', dataset: { foundation: f.foundation_code, year: f.year } },
    h('th', { scope: 'row' }, f.foundation_name ? `${f.foundation_code} — ${f.foundation_name}` : f.foundation_code),
    h('td', { class: 'text-end' }, f.year ? String(f.year) : '—'),
    h('td', { class: 'text-end' }, String(f.courses)),
    h('td', { class: 'text-end' }, String(f.scored)),
    h('td', { class: 'text-end' }, f.mean === null || f.mean === undefined ? '—' : fixed(f.mean)),
    h('td', { class: 'text-end' }, f.share === null || f.share === undefined ? '—' : `${num(f.share, 1)}%`),
    h('td', { class: 'text-end' }, String(f.violations)),
    h('td', { class: 'text-end' }, String(f.errors))));
  return h('section', { class: 'mt-4', 'aria-labelledby': 'titolo-fondazioni' },
    h('h3', { id: 'titolo-fondazioni' }, 'Fondazioni'),
    table('Per fondazione e anno: percorsi, percorsi con punteggio, media, quota sotto 50 (sui percorsi con punteggio), violazioni di legge ed errori.',
      ['Fondazione', 'Anno', 'Percorsi', 'Con punteggio', 'Media', 'Sotto 50', 'Violazioni', 'Errori'], rows));
}

function coursesBlock(summary) {
  const rows = (summary.courses || []).map((c) => h('tr', { class: 'rg-course-row', dataset: { code: c.code, foundation: c.foundation_code } },
    h('th', { scope: 'row' }, c.code),
    h('td', { class: 'text-end' }, c.foundation_code || '—'),
    h('td', { class: 'text-end' }, c.year ? String(c.year) : '—'),
    h('td', { class: 'text-end rg-total' }, c.total === null || c.total === undefined ? 'non calcolato' : fixed(c.total)),
    h('td', { class: 'text-end' }, c.band ? bandBadge(c.band) : '—'),
    h('td', { class: 'text-end' }, String((c.findings || {}).error || 0)),
    h('td', { class: 'text-end' }, String((c.findings || {}).violation || 0)),
    h('td', { class: 'text-end' }, c.file || '')));
  return h('section', { class: 'mt-4', 'aria-labelledby': 'titolo-percorsi' },
    h('h3', { id: 'titolo-percorsi' }, 'Percorsi'),
    table('Ogni percorso di ogni file: punteggio, fascia, errori e violazioni di legge.',
      ['Percorso', 'Fondazione', 'Anno', 'Punteggio', 'Fascia', 'Errori', 'Violazioni', 'File'], rows));
}

function excludedBlock(summary) {
  const excluded = summary.excluded || [];
  const sec = h('section', { class: 'mt-4', 'aria-labelledby': 'titolo-esclusi' },
    h('h3', { id: 'titolo-esclusi' }, 'File non verificati'));
  if (!excluded.length) {
    sec.append(h('p', null, 'Tutti i file sono stati verificati.'));
    return sec;
  }
  sec.append(h('ul', { class: 'rg-excluded' }, excluded.map((x) =>
    h('li', { dataset: { name: x.name } }, h('strong', null, x.name), ': ', x.reason))));
  return sec;
}

function renderSummary(container, summary) {
  container.replaceChildren();
  const courses = summary.courses || [];
  const scored = courses.filter((c) => c.total !== null && c.total !== undefined).length;
  const excluded = (summary.excluded || []).length;
  const flagged = (summary.foundation_verdicts || []).filter((v) => v.flagged).length;
  container.append(h('p', { class: 'rg-facts' },
    `${plural(courses.length, 'percorso', 'percorsi')}, ${scored} con punteggio; `,
    `${plural(excluded, 'file non verificato', 'file non verificati')}; `,
    `${plural(flagged, 'fondazione segnalata', 'fondazioni segnalate')} per la regola dei tre anni.`));
  container.append(verdictsBlock(summary), foundationsBlock(summary), coursesBlock(summary), excludedBlock(summary));
  if ((summary.notes || []).length) {
    container.append(h('section', { class: 'mt-4', 'aria-labelledby': 'titolo-note' },
      h('h3', { id: 'titolo-note' }, 'Note'), h('ul', null, summary.notes.map((n) => h('li', null, n)))));
  }
}

async function main() {
  const form = $('batch-form');
  const input = $('files');
  const drop = $('batch-dropzone');
  const status = $('status');
  const error = $('error');
  const results = $('results');
  const info = await getInfo();
  if (info.token_required) $('token-group').hidden = false;
  $('batch-limit').textContent = `Dimensione massima per file: ${sizeText(info.max_upload_bytes)}.`;
  if (info.default_reading) $('reading').value = info.default_reading;

  let current = [];
  let busy = false;
  const options = (format) => ({ reading: $('reading').value, format, token: $('token').value.trim() });
  const showError = (message) => {
    error.textContent = message;
    error.hidden = false;
    error.focus();
  };
  const setBusy = (on) => {
    busy = on;
    form.setAttribute('aria-busy', on ? 'true' : 'false');
    for (const b of document.querySelectorAll('button[data-lock]')) b.disabled = on;
  };
  const run = async (files) => {
    if (busy) return;
    error.hidden = true;
    if (!files.length) {
      showError('Scegliere almeno un file .xlsx da verificare.');
      return;
    }
    const big = files.find((f) => f.size > info.max_upload_bytes);
    if (big) {
      showError(`Il file «${big.name}» pesa ${sizeText(big.size)}: il limite per file è ${sizeText(info.max_upload_bytes)}.`);
      return;
    }
    setBusy(true);
    status.textContent = `Verifica di ${plural(files.length, 'file', 'file')} in corso…`;
    try {
      const summary = await batchAudit(files, options('json'));
      current = files;
      renderSummary($('summary'), summary);
      results.hidden = false;
      status.textContent = 'Verifica completata.';
      $('results-title').focus();
    } catch (err) {
      status.textContent = '';
      if (err && err.status === 401) $('token-group').hidden = false;
      showError((err && err.message) || String(err));
    } finally {
      setBusy(false);
    }
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run([...input.files]);
  });
  for (const name of ['dragenter', 'dragover']) {
    drop.addEventListener(name, (ev) => {
      ev.preventDefault();
      drop.classList.add('is-dragover');
    });
  }
  for (const name of ['dragleave', 'drop']) {
    drop.addEventListener(name, () => drop.classList.remove('is-dragover'));
  }
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    run([...(ev.dataTransfer ? ev.dataTransfer.files : [])]);
  });
  $('download').addEventListener('click', async () => {
    if (busy || !current.length) return;
    setBusy(true);
    status.textContent = 'Preparazione del riepilogo…';
    try {
      const { blob, fileName } = await batchAudit(current, options('xlsx'));
      saveBlob(blob, fileName);
      status.textContent = `Riepilogo scaricato: ${fileName}.`;
    } catch (err) {
      status.textContent = '';
      showError((err && err.message) || String(err));
    } finally {
      setBusy(false);
    }
  });
}

main();
