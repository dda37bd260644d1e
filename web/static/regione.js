// The regional page (/regione): choose or drop several workbooks (and
// earlier summaries), post them to /api/batch with the upload's progress,
// show the regional summary (first the files not audited, the duplicates
// and the foundations with two files for the same year; then the
// foundation rule of CU 17/12/2015 art. 4 c. 3, the foundations by year,
// every course, each with a drill-down to its trace) and download the
// summary workbook, the regional verbale (PDF) or everything in one ZIP
// (the audited copies, the summary and the verbale).
//
// The server keeps nothing, so every download posts the same files again:
// the page keeps the File objects the user chose (they never leave the
// browser but to the server) and re-posts them, so the user chooses them
// once. The ZIP comes from one request and one audit run. A course's
// drill-down posts its one file to /api/audit. No innerHTML with server
// text: only DOM calls.

import { audit, batchAudit, getInfo, saveBlob, sizeText } from './api.js';
import { bandBadge, fixed, h, num, plural, renderReport } from './report.js';
import { setupChoices } from './choices.js';
import { formState, watchDrop } from './form.js';

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

// capital writes s with its first letter in upper case.
function capital(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

function foundationsBlock(summary) {
  // The bar of the foundation rule is the pack's (CU 17/12/2015: below 50).
  const rule = summary.foundation_rule;
  const bar = rule && typeof rule.course_total_below === 'number' ? `sotto ${num(rule.course_total_below)}` : 'sotto la soglia della regola';
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
    table(`Per fondazione e anno: percorsi, percorsi con punteggio, media, quota ${bar} (sui percorsi con punteggio), violazioni di legge ed errori.`,
      ['Fondazione', 'Anno', 'Percorsi', 'Con punteggio', 'Media', capital(bar), 'Violazioni', 'Errori'], rows));
}

function coursesBlock(summary, bands, canDrill) {
  const rows = (summary.courses || []).map((c) => h('tr', { class: 'rg-course-row', dataset: { code: c.code, foundation: c.foundation_code, file: c.file || '' } },
    h('th', { scope: 'row' }, c.code),
    h('td', { class: 'text-end' }, c.foundation_code || '—'),
    h('td', { class: 'text-end' }, c.year ? String(c.year) : '—'),
    h('td', { class: 'text-end rg-total' }, c.total === null || c.total === undefined ? 'non calcolato' : fixed(c.total)),
    h('td', { class: 'text-end' }, c.band ? bandBadge(c.band, bands) : '—'),
    h('td', { class: 'text-end' }, String((c.findings || {}).error || 0)),
    h('td', { class: 'text-end' }, String((c.findings || {}).violation || 0)),
    h('td', { class: 'text-end' }, c.file || (c.from ? `(da ${c.from})` : '')),
    h('td', { class: 'text-end' }, !c.from && c.file && canDrill(c.file)
      ? h('button', { type: 'button', class: 'btn btn-link btn-sm rg-drill', dataset: { code: c.code, file: c.file },
        'aria-label': `Dettaglio del calcolo di ${c.code} (${c.file})` }, 'Dettaglio')
      : h('span', { class: 'rp-muted' }, '—'))));
  return h('section', { class: 'mt-4', 'aria-labelledby': 'titolo-percorsi' },
    h('h3', { id: 'titolo-percorsi' }, 'Percorsi'),
    table('Ogni percorso di ogni file: punteggio, fascia, errori e violazioni di legge; «Dettaglio» mostra il calcolo passo per passo.',
      ['Percorso', 'Fondazione', 'Anno', 'Punteggio', 'Fascia', 'Errori', 'Violazioni', 'File', 'Calcolo'], rows));
}

// sameYearFiles lists the foundations with more than one file audited now
// for the same monitoring year: one of the files is probably an old or a
// wrong version, and the courses of both are in the summary.
export function sameYearFiles(summary) {
  const byKey = new Map();
  for (const c of summary.courses || []) {
    if (c.from || !c.file || !c.foundation_code || !c.year) continue;
    const key = `${c.foundation_code}\u0000${c.year}`;
    if (!byKey.has(key)) byKey.set(key, { code: c.foundation_code, name: c.foundation_name, year: c.year, files: new Set() });
    byKey.get(key).files.add(c.file);
  }
  return [...byKey.values()].filter((g) => g.files.size > 1)
    .map((g) => ({ ...g, files: [...g.files].sort() }))
    .sort((a, b) => a.code.localeCompare(b.code) || a.year - b.year);
}

// problemsBlock comes first: the files not audited (with the reason), the
// duplicates left out, and the foundations with two files for one year.
function problemsBlock(summary) {
  const excluded = summary.excluded || [];
  const failed = excluded.filter((x) => !x.skipped);
  const skipped = excluded.filter((x) => x.skipped);
  const twins = sameYearFiles(summary);
  const sec = h('section', { class: 'mt-4 rg-problems', id: 'problemi', 'aria-labelledby': 'titolo-esclusi' },
    h('h3', { id: 'titolo-esclusi' }, 'File non verificati, duplicati e file doppi'));
  if (!failed.length && !skipped.length && !twins.length) {
    sec.append(h('p', null, 'Tutti i file sono stati verificati; nessun duplicato, nessuna fondazione con due file per lo stesso anno.'));
    return sec;
  }
  if (failed.length) {
    sec.append(h('h4', { class: 'h5' }, plural(failed.length, 'file non verificato', 'file non verificati')),
      h('ul', { class: 'rg-excluded' }, failed.map((x) =>
        h('li', { dataset: { name: x.name } }, h('strong', null, x.name), ': ', x.reason))));
  }
  if (skipped.length) {
    sec.append(h('h4', { class: 'h5' }, plural(skipped.length, 'file duplicato o saltato', 'file duplicati o saltati')),
      h('ul', { class: 'rg-skipped' }, skipped.map((x) =>
        h('li', { dataset: { name: x.name } }, h('strong', null, x.name), ': ', x.reason))));
  }
  if (twins.length) {
    sec.append(h('h4', { class: 'h5' }, plural(twins.length, 'fondazione con più file per lo stesso anno', 'fondazioni con più file per lo stesso anno')),
      h('ul', { class: 'rg-twins' }, twins.map((g) =>
        h('li', { class: 'rg-flagged', dataset: { foundation: g.code, year: String(g.year) } },
          h('span', { class: 'rg-flag' }, 'da controllare'), ' ',
          h('strong', null, g.name ? `${g.code} — ${g.name}` : g.code), `, anno ${g.year}: `,
          `${g.files.map((f) => `«${f}»`).join(', ')}. Tenere solo il file valido e ripetere la verifica: `,
          'i percorsi di entrambi sono nel riepilogo.'))));
  }
  return sec;
}

function renderSummary(container, summary, bands, canDrill) {
  container.replaceChildren();
  const courses = summary.courses || [];
  const scored = courses.filter((c) => c.total !== null && c.total !== undefined).length;
  const excluded = (summary.excluded || []).length;
  const flagged = (summary.foundation_verdicts || []).filter((v) => v.flagged).length;
  container.append(h('p', { class: 'rg-facts' },
    `${plural(courses.length, 'percorso', 'percorsi')}, ${scored} con punteggio; `,
    `${plural(excluded, 'file non verificato', 'file non verificati')}; `,
    `${plural(flagged, 'fondazione segnalata', 'fondazioni segnalate')} per la regola dei tre anni.`));
  container.append(problemsBlock(summary), verdictsBlock(summary), foundationsBlock(summary), coursesBlock(summary, bands, canDrill));
  if ((summary.notes || []).length) {
    container.append(h('section', { class: 'mt-4', 'aria-labelledby': 'titolo-note' },
      h('h3', { id: 'titolo-note' }, 'Note'), h('ul', null, summary.notes.map((n) => h('li', null, n)))));
  }
}

// serverNames gives each chosen file the name the server gives it in the
// summary (as server/batch.go: the base name without control characters
// and quotes, at most 120 characters, «name (2)» for a second file with the
// same name), so that a course's file can be found among the chosen ones.
function serverNames(files) {
  const out = new Map();
  for (const f of files) {
    let name = [...String(f.name).replace(/[\u0000-\u001f\u007f-\u009f"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')].slice(0, 120).join('');
    if (!name) name = `file-${out.size + 1}.xlsx`;
    let unique = name;
    for (let i = 2; out.has(unique); i++) unique = `${name} (${i})`;
    out.set(unique, f);
  }
  return out;
}

async function main() {
  const form = $('batch-form');
  const input = $('files');
  const drop = $('batch-dropzone');
  const ui = formState({ form, status: $('status'), error: $('error') });
  const results = $('results');
  const info = await getInfo();
  if (info.token_required) $('token-group').hidden = false;
  $('batch-limit').textContent = `Dimensione massima per file: ${sizeText(info.max_upload_bytes)}.`;
  const choices = setupChoices({ reading: $('reading'), container: $('choices-controls') }, info);

  let current = [];
  let byName = new Map();
  const progressGroup = $('progress-group');
  const progress = $('upload-progress');
  const progressText = $('progress-text');
  const progressLabel = $('progress-label');
  const showProgress = (what) => (sent, total, done) => {
    progressGroup.hidden = false;
    progress.max = total;
    progress.value = sent;
    const pct = total ? Math.round((sent / total) * 100) : 100;
    progressLabel.textContent = what;
    progressText.textContent = done
      ? `${sizeText(total)} inviati: verifica in corso sul server…`
      : `${pct}% (${sizeText(sent)} di ${sizeText(total)})`;
  };
  const hideProgress = () => {
    progressGroup.hidden = true;
  };
  const options = (format, what) => ({ ...choices.values(), format, token: $('token').value.trim(), onProgress: showProgress(what) });
  const dropResult = () => {
    results.hidden = true;
    $('summary').replaceChildren();
    $('drill').hidden = true;
    $('drill-report').replaceChildren();
    current = [];
    byName = new Map();
  };
  const run = async (files) => {
    if (ui.busy) return;
    ui.clearError();
    if (!files.length) {
      dropResult();
      ui.showError('Scegliere almeno un file .xlsx da verificare.');
      return;
    }
    const big = files.find((f) => f.size > info.max_upload_bytes);
    if (big) {
      dropResult();
      ui.showError(`Il file «${big.name}» pesa ${sizeText(big.size)}: il limite per file è ${sizeText(info.max_upload_bytes)}.`);
      return;
    }
    await ui.task(`Verifica di ${plural(files.length, 'file', 'file')} in corso…`, async () => {
      const summary = await batchAudit(files, options('json', `Invio di ${plural(files.length, 'file', 'file')}`));
      current = files;
      byName = serverNames(files);
      $('drill').hidden = true;
      $('drill-report').replaceChildren();
      renderSummary($('summary'), summary, info.bands, (name) => byName.has(name));
      results.hidden = false;
      ui.setStatus('Verifica completata.');
      $('results-title').focus();
    }, {
      fail: (err) => {
        dropResult();
        if (err && err.status === 401) $('token-group').hidden = false;
      },
      after: hideProgress,
    });
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run([...input.files]);
  });
  watchDrop(drop, (files) => run(files));

  // Downloads: the chosen files are posted again (the server keeps
  // nothing), with the same choices.
  const download = (format, what, done) => async () => {
    if (!current.length) return;
    await ui.task(`Preparazione ${what}…`, async () => {
      const { blob, fileName } = await batchAudit(current, options(format, `Invio dei file per ${what}`));
      saveBlob(blob, fileName);
      ui.setStatus(`${done}: ${fileName}.`);
    }, { after: hideProgress });
  };
  $('download').addEventListener('click', download('xlsx', 'del riepilogo', 'Riepilogo scaricato'));
  $('download-pdf').addEventListener('click', download('pdf', 'del verbale regionale', 'Verbale regionale scaricato'));
  $('download-zip').addEventListener('click', download('zip', 'dell\'archivio ZIP', 'Archivio scaricato'));

  // Drill-down: a course's file audited alone, its section shown with the
  // trace of its total open.
  $('summary').addEventListener('click', async (ev) => {
    const btn = ev.target instanceof Element ? ev.target.closest('button.rg-drill') : null;
    if (!btn || ui.busy) return;
    const file = byName.get(btn.dataset.file);
    if (!file) return;
    await ui.task(`Calcolo di ${btn.dataset.code} in «${btn.dataset.file}»…`, async () => {
      const rep = await audit(file, { ...choices.values(), token: $('token').value.trim() });
      renderReport($('drill-report'), rep, { fileName: btn.dataset.file, headingLevel: 3, bands: info.bands });
      $('drill-note').textContent = `Il file «${btn.dataset.file}» verificato da solo, con le stesse scelte: il percorso ${btn.dataset.code} è evidenziato.`;
      $('drill').hidden = false;
      const sec = [...$('drill-report').querySelectorAll('section.rp-course')].find((x) => x.dataset.code === btn.dataset.code);
      if (sec) {
        sec.classList.add('rg-drilled');
        const trace = sec.querySelector(':scope > details.rp-trace');
        if (trace) trace.open = true;
        sec.setAttribute('tabindex', '-1');
        sec.focus({ preventScroll: true });
        sec.scrollIntoView({ block: 'start', behavior: 'instant' });
      }
      ui.setStatus(`Dettaglio di ${btn.dataset.code} pronto.`);
    });
  });
}

main();
