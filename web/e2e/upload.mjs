// Real-browser test of auditor's web interface, driven by web/browser_test.go:
//
//   node web/e2e/upload.mjs BASEURL ARTIFACTDIR WORKBOOK EXPECTED.json CHOSEN.json
//
// Debian's chromium (no downloaded browser) loads the upload page, reaches
// the file input with the keyboard, uploads WORKBOOK, checks the course table
// and the findings against EXPECTED.json (the server's JSON report of the
// same file) and against values read from the CLI's report, expands traces,
// checks the contrast of the coloured labels, downloads the annotated
// workbook with the keyboard, shows an upload error, then loads the task pane
// with office.js unreachable and checks that its fallback audits a file.
// Issue 13: the PA header and footer, the privacy and accessibility pages,
// the blank template's download, the chart with the pack's band lines,
// findings first in each course, the pack's choices as controls (the
// result must be the server's report with the same choices, CHOSEN.json),
// the print stylesheet (a PDF printed by chromium and a print-media
// screenshot) and an error replacing the previous result.
// Screenshots and the downloaded workbook go to ARTIFACTDIR; the last line of
// standard output is a JSON summary. Any failed check exits with status 1.

import { readFileSync, mkdirSync } from 'node:fs';
import { join, basename } from 'node:path';
import { check, contrastProblems, downloadBy, downloadWithKeyboard, it2, runBrowser, tabReaches } from './common.mjs';

const [baseURL, artifactDir, workbook, expectedPath, chosenPath] = process.argv.slice(2);
if (!baseURL || !artifactDir || !workbook || !expectedPath || !chosenPath) {
  console.error('usage: node upload.mjs BASEURL ARTIFACTDIR WORKBOOK EXPECTED.json CHOSEN.json');
  process.exit(2);
}
mkdirSync(artifactDir, { recursive: true });
const expected = JSON.parse(readFileSync(expectedPath, 'utf8'));
// The report of the same file with E-2 in its coherent form and I-7 =
// articolazione (only articulation 3 zeroed under 20 enrolled).
const chosen = JSON.parse(readFileSync(chosenPath, 'utf8'));
const CHOICES = { erratum: 'E-2=coherent', interpretation: 'I-7=articolazione' };

// What the example's data imply under the law, independently of the
// scores: TUR-24-01 is an EQF VI course, for which no rule pack exists, so
// it has no total; MEC-23-03 has fewer than 20 enrolled, so its
// Attrattività is zeroed (DM 30/11/2023, Tab. 2, art. 3). The totals
// themselves are checked against the server's own report, which the
// scoring tests check against the decree.
const UNSCORED = 'TUR-24-01';
const ZEROED = 'MEC-23-03';

function watch(page, problems, name) {
  page.on('pageerror', (err) => problems.push(`${name}: errore JavaScript: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    // Expected: office.js is unreachable on purpose in the task pane test,
    // and the CSV upload is answered 415.
    if (name === 'riquadro' && text.includes('ERR_ADDRESS_UNREACHABLE')) return;
    if (name === 'pagina' && text.includes('status of 415')) return;
    problems.push(`${name}: console: ${text}`);
  });
}

async function uploadPage(browser, problems) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 }, locale: 'it-IT' });
  const page = await context.newPage();
  watch(page, problems, 'pagina');
  await page.goto(baseURL + '/', { waitUntil: 'load' });
  check((await page.title()).includes('percorsi ITS'), `titolo inatteso: ${await page.title()}`);
  check(await page.locator('html[lang="it"]').count() === 1, 'la pagina non dichiara lang="it"');

  // Keyboard: Tab from the top of the page reaches the file input.
  check(await tabReaches(page, 'file'), 'il campo del file non si raggiunge con il tasto Tab');
  const label = await page.locator('label[for="file"]').textContent();
  check(label && label.includes('.xlsx'), 'il campo del file non ha un\'etichetta');

  // An error first: a CSV is refused with the server's Italian message.
  await page.setInputFiles('#file', { name: 'prova.csv', mimeType: 'text/csv', buffer: Buffer.from('codice;titolo\nA;B\n') });
  const alert = page.locator('#error[role="alert"]');
  await alert.waitFor({ state: 'visible', timeout: 30_000 });
  const alertText = (await alert.textContent()).trim();
  check(alertText.length > 10 && !/HTTP \d+/.test(alertText), `messaggio di errore inatteso: ${alertText}`);

  // The real upload.
  await page.setInputFiles('#file', workbook);
  await page.locator('#results').waitFor({ state: 'visible', timeout: 60_000 });
  check(await alert.isHidden(), 'l\'errore precedente resta visibile dopo una verifica riuscita');
  const rows = page.locator('tr.rp-course-row');
  check(await rows.count() === expected.courses.length, `percorsi in tabella: ${await rows.count()}, attesi ${expected.courses.length}`);
  check(expected.courses.length === 10, `il report del server ha ${expected.courses.length} percorsi, l'esempio ne ha 10`);

  const table = await rows.evaluateAll((trs) => trs.map((tr) => ({
    code: tr.dataset.code,
    total: tr.querySelector('.rp-total').textContent.trim(),
    band: tr.dataset.band,
    bandText: (tr.querySelector('.rp-band') || {}).textContent || '',
  })));
  expected.courses.forEach((c, i) => {
    const row = table[i];
    check(row.code === c.code, `riga ${i + 1}: percorso ${row.code}, atteso ${c.code}`);
    const total = c.total === null ? 'non calcolato' : it2(c.total);
    check(row.total === total, `${c.code}: totale «${row.total}», atteso «${total}»`);
    check(row.band === (c.band || ''), `${c.code}: fascia ${row.band}, attesa ${c.band}`);
    check(row.bandText.trim().length > 0, `${c.code}: la fascia non ha testo (solo colore)`);
  });
  const unscored = table.find((r) => r.code === UNSCORED);
  check(unscored && unscored.total === 'non calcolato', `${UNSCORED} (EQF VI): totale «${unscored && unscored.total}», atteso «non calcolato»`);
  const zeroedRow = await page.locator(`tr.rp-course-row[data-code="${ZEROED}"]`).innerText();
  check(zeroedRow.includes('azzerato'), `${ZEROED} (meno di 20 iscritti): Attrattività non mostrata come azzerata: ${zeroedRow}`);
  const shown = await page.locator('#results').innerText();
  for (const junk of [/\[object /, /\bundefined\b/, /\bNaN\b/, /\bnull\b/]) {
    check(!junk.test(shown), `il risultato mostra «${junk.source}»`);
  }
  check(shown.includes('1 errore,') && shown.includes('3 violazioni di legge'), 'il riepilogo dei rilievi non è quello atteso');
  const headers = await page.locator('table.rp-summary thead th').allTextContents();
  for (const name of ['Attrattività', 'Esiti occupazionali']) {
    check(headers.some((t) => t.includes(name)), `manca la colonna dell'indicatore ${name}`);
  }

  // Findings with their cells: every one of the report is shown.
  for (const c of expected.courses) {
    for (const f of c.findings) {
      const sel = `#percorso-${c.code} tr.rp-finding[data-rule="${f.rule}"][data-cell="${f.cell}"]`;
      check(await page.locator(sel).count() >= 1, `${c.code}: manca il rilievo ${f.rule} sulla cella ${f.cell}`);
    }
  }
  for (const f of expected.findings) {
    check(await page.locator(`tr.rp-finding[data-rule="${f.rule}"][data-cell="${f.cell || ''}"]`).count() >= 1,
      `manca il rilievo sul file ${f.rule} (${f.cell})`);
  }
  const h5 = page.locator('#percorso-MEC-23-03 tr.rp-finding[data-cell="Percorsi!H5"]');
  const h5Text = await h5.first().textContent();
  check(h5Text.includes('Violazione di legge') && h5Text.includes('LEG-ISCRITTI-MIN') && h5Text.includes('Percorsi!H5')
    && h5Text.includes('DM 30/11/2023'), `rilievo di MEC-23-03 incompleto: ${h5Text}`);

  // A trace: articulation 2 of MEC-23-01 (click), the total (keyboard).
  const art = page.locator('#percorso-MEC-23-01 tr.rp-art-row[data-number="2"] details.rp-trace');
  await art.locator('summary').click();
  check(await art.evaluate((d) => d.open), 'la traccia dell\'articolazione 2 non si apre');
  const artText = await art.textContent();
  for (const part of ['Formula', 'P = 60 + 40', 'Intervallo applicato', 'Percorsi!G3', 'Soglia', 'S2 = 80,1', 'Fonte', 'Errata']) {
    check(artText.includes(part), `la traccia dell'articolazione 2 non mostra «${part}»`);
  }
  // The values used name their cells (R2 reads G3 and F3 of row 3).
  const inputCells = await art.locator('.rp-inputs .rp-cell').allTextContents();
  for (const cell of ['Percorsi!G3', 'Percorsi!F3']) {
    check(inputCells.includes(cell), `la traccia dell'articolazione 2 non indica la cella ${cell} tra i valori usati (${inputCells})`);
  }
  const totalTrace = page.locator('#percorso-MEC-23-01 > details.rp-trace').first();
  await totalTrace.locator('summary').focus();
  await page.keyboard.press('Enter');
  check(await totalTrace.evaluate((d) => d.open), 'la traccia del totale non si apre con Invio');
  check((await totalTrace.textContent()).includes('Attrattività'), 'la traccia del totale non elenca gli indicatori');
  check((await totalTrace.textContent()).includes('CU 17/12/2015'), 'la traccia del totale non indica la fonte della fascia');
  const ind = page.locator('#percorso-MEC-23-01 ul.rp-indicators details.rp-trace').first();
  await ind.locator('summary').click();
  check((await ind.textContent()).includes('Articolazione 1') && (await ind.textContent()).includes('Tab. 1'), 'la traccia di un indicatore non elenca le articolazioni o la fonte');

  const low = await contrastProblems(page, '.rp-band, .rp-sev, .btn-primary, .rp-trace > summary, .rp-course a, .rp-summary a, .rp-muted, .app-slim-links a, .app-footer-links a, .app-template a');
  check(low.length === 0, `contrasto insufficiente: ${low.join('; ')}`);

  const info = await page.evaluate(async () => (await fetch('/api/info')).json());
  await chartAndBands(page, info);
  await findingsFirst(page);
  const shotChart = join(artifactDir, 'upload-page-chart.png');
  await page.locator('#grafico-punteggi').screenshot({ path: shotChart });

  await page.evaluate(() => document.getElementById('results').scrollIntoView({ behavior: 'instant' }));
  const shotTop = join(artifactDir, 'upload-page.png');
  await page.screenshot({ path: shotTop, fullPage: false });
  await page.evaluate(() => document.getElementById('percorso-MEC-23-01').scrollIntoView({ behavior: 'instant' }));
  const shotTrace = join(artifactDir, 'upload-page-trace.png');
  await page.screenshot({ path: shotTrace, fullPage: false });
  await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
  const shotFull = join(artifactDir, 'upload-page-full.png');
  await page.screenshot({ path: shotFull, fullPage: true });

  // Download with the keyboard: focus the button, press Enter.
  const download = await downloadWithKeyboard(page, '#download');
  const suggested = download.suggestedFilename();
  check(suggested === basename(workbook).replace(/\.xlsx$/, '') + '-verificato.xlsx', `nome del file scaricato: ${suggested}`);
  const saved = join(artifactDir, suggested);
  await download.saveAs(saved);

  // The verbale (PDF), with the keyboard too.
  const pdf = await downloadWithKeyboard(page, '#download-pdf');
  const pdfName = pdf.suggestedFilename();
  check(pdfName === basename(workbook).replace(/\.xlsx$/, '') + '-verbale.pdf', `nome del verbale scaricato: ${pdfName}`);
  const pdfSaved = join(artifactDir, pdfName);
  await pdf.saveAs(pdfSaved);
  check(readFileSync(pdfSaved).subarray(0, 5).toString() === '%PDF-', 'il verbale scaricato non è un PDF');
  const printed = await printCheck(page);
  const shotChoices = await choicesCheck(page);
  await errorReplaces(page);
  const template = await templateDownload(page);
  await context.close();
  return { screenshots: [shotTop, shotTrace, shotFull, shotChart, printed.shot, shotChoices], download: saved, template, print: printed.pdf };
}

// shortLabel is the part of a band's label before its colon, as the page
// shows it in the badge.
const shortLabel = (l) => (l.indexOf(':') > 0 ? l.slice(0, l.indexOf(':')).trim() : l);

// chartAndBands: the badges carry the pack's labels; the chart has one bar
// per scored course whose segments add up to its total, and one line per
// cut of the pack's bands, placed at its total on the scale.
async function chartAndBands(page, info) {
  check(info.bands && Array.isArray(info.bands.cuts) && info.bands.cuts.length > 0, `/api/info senza fasce: ${JSON.stringify(info.bands)}`);
  const labels = new Map(info.bands.rows.map((r) => [r.code, shortLabel(r.label)]));
  for (const c of expected.courses.filter((x) => x.band)) {
    const text = (await page.locator(`tr.rp-course-row[data-code="${c.code}"] .rp-band`).textContent()).trim();
    check(text.endsWith(labels.get(c.band)), `${c.code}: fascia «${text}», attesa l'etichetta del pacchetto «${labels.get(c.band)}»`);
  }
  const chart = page.locator('#grafico-punteggi');
  check(await chart.count() === 1, 'manca il grafico dei punteggi');
  const bars = await chart.locator('g.rp-chart-course').evaluateAll((gs) => gs.map((g) => ({
    code: g.dataset.code,
    total: Number(g.dataset.total),
    sum: [...g.querySelectorAll('rect.rp-chart-seg')].reduce((a, r) => a + Number(r.dataset.points), 0),
    right: Math.max(...[...g.querySelectorAll('rect.rp-chart-seg')].map((r) => Number(r.getAttribute('x')) + Number(r.getAttribute('width')))),
  })));
  const scored = expected.courses.filter((c) => c.total !== null);
  check(bars.length === scored.length, `barre nel grafico: ${bars.length}, percorsi con punteggio ${scored.length}`);
  for (const c of scored) {
    const b = bars.find((x) => x.code === c.code);
    check(b && Math.abs(b.total - c.total) < 1e-9, `${c.code}: totale nel grafico ${b && b.total}, atteso ${c.total}`);
    check(Math.abs(b.sum - c.total) < 1e-6, `${c.code}: i segmenti sommano ${b.sum}, il totale è ${c.total}`);
  }
  const cuts = await chart.locator('g.rp-chart-cut').evaluateAll((gs) => gs.map((g) => ({
    cut: Number(g.dataset.cut), x: Number(g.querySelector('line').getAttribute('x1')), text: g.querySelector('text').textContent,
  })));
  check(JSON.stringify(cuts.map((c) => c.cut)) === JSON.stringify(info.bands.cuts), `linee del grafico ${cuts.map((c) => c.cut)}, fasce del pacchetto ${info.bands.cuts}`);
  // Placement: a bar of total T ends at x(T); a cut at x(cut). With the two
  // bars of the highest and lowest totals the scale is fixed.
  const hi = bars.reduce((a, b) => (b.total > a.total ? b : a));
  const lo = bars.reduce((a, b) => (b.total < a.total ? b : a));
  const perPoint = (hi.right - lo.right) / (hi.total - lo.total);
  for (const c of cuts) {
    const want = lo.right + (c.cut - lo.total) * perPoint;
    check(Math.abs(c.x - want) < 0.01, `linea ${c.cut}: x ${c.x}, attesa ${want}`);
    const row = info.bands.rows.find((r) => r.from === c.cut);
    check(c.text.includes(shortLabel(row.label)), `la linea ${c.cut} non dice la fascia che inizia: ${c.text}`);
  }
  check(await page.locator('section.rp-course figure.rp-chart').count() === scored.length, 'non ogni percorso con punteggio ha il suo grafico');
}

// findingsFirst: in every course the findings come before the indicators,
// the articulations and the traces.
async function findingsFirst(page) {
  const order = await page.locator('section.rp-course').evaluateAll((secs) => secs.map((sec) => {
    const f = sec.querySelector('.rp-course-findings');
    const later = sec.querySelector('.rp-indicators, table.rp-arts, .rp-sensitivity');
    return { code: sec.dataset.code, ok: !!f && (!later || !!(f.compareDocumentPosition(later) & Node.DOCUMENT_POSITION_FOLLOWING)) };
  }));
  for (const o of order) check(o.ok, `${o.code}: i rilievi non vengono prima degli indicatori e delle articolazioni`);
}

// printCheck: before printing every trace opens; in print media the form,
// the buttons and the header bar are hidden and each course starts a page.
// chromium prints the page to PDF (in the artifacts).
async function printCheck(page) {
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  const closed = await page.locator('#report details:not([open])').count();
  check(closed === 0, `${closed} tracce restano chiuse per la stampa`);
  await page.emulateMedia({ media: 'print' });
  for (const sel of ['#upload-form', '.results-actions', '.it-header-slim-wrapper', '.app-footer-links']) {
    check(await page.locator(sel).first().isHidden(), `in stampa ${sel} resta visibile`);
  }
  check(await page.locator('#report').isVisible(), 'in stampa il risultato non è visibile');
  const breakBefore = await page.locator('section.rp-course').first().evaluate((s) => getComputedStyle(s).breakBefore);
  check(breakBefore === 'page', `in stampa un percorso non inizia una pagina (${breakBefore})`);
  const shot = join(artifactDir, 'upload-page-print.png');
  await page.screenshot({ path: shot, fullPage: false });
  const pdf = join(artifactDir, 'upload-page-print.pdf');
  await page.pdf({ path: pdf, format: 'A4', printBackground: true });
  check(readFileSync(pdf).subarray(0, 5).toString() === '%PDF-', 'la stampa in PDF non è un PDF');
  await page.emulateMedia({ media: 'screen' });
  await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
  return { shot, pdf };
}

// choicesCheck: the pack's errata and interpretations are controls; with
// E-2 coherent and I-7 = articolazione the request carries them and the
// page shows the server's report for those choices.
async function choicesCheck(page) {
  const info = await page.evaluate(async () => (await fetch('/api/info')).json());
  await page.locator('#choices > summary').click();
  for (const e of info.errata) {
    check(await page.locator(`#choices-controls select[data-erratum="${e.id}"]`).count() === 1, `manca la scelta del refuso ${e.id}`);
  }
  for (const i of info.interpretations.filter((x) => Object.keys(x.choices).length > 1)) {
    const sel = page.locator(`#choices-controls select[data-interpretation="${i.id}"]`);
    check(await sel.count() === 1, `manca la scelta dell'interpretazione ${i.id}`);
    check(await sel.inputValue() === i.default, `${i.id}: scelta iniziale ${await sel.inputValue()}, predefinita ${i.default}`);
  }
  const readings = await page.locator('#reading option').evaluateAll((os) => os.map((o) => o.value));
  check(JSON.stringify(readings) === JSON.stringify(info.reading_definitions.map((r) => r.id)), `letture offerte ${readings}`);
  await page.locator('#erratum-E-2').selectOption('coherent');
  await page.locator('#interpretazione-I-7').selectOption('articolazione');
  const [req] = await Promise.all([
    page.waitForRequest((r) => r.url().includes('/api/audit'), { timeout: 60_000 }),
    page.locator('#upload-form button[type="submit"]').click(),
  ]);
  const params = new URL(req.url()).searchParams;
  check(params.getAll('erratum').includes(CHOICES.erratum) && params.getAll('interpretation').includes(CHOICES.interpretation),
    `la richiesta non porta le scelte: ${req.url()}`);
  await page.locator('#rp-overview').filter({ hasText: 'E-2 coerente' }).waitFor({ timeout: 60_000 });
  for (const c of chosen.courses) {
    const row = page.locator(`tr.rp-course-row[data-code="${c.code}"]`);
    const total = (await row.locator('.rp-total').textContent()).trim();
    check(total === (c.total === null ? 'non calcolato' : it2(c.total)), `${c.code} con le scelte: totale ${total}, atteso ${it2(c.total)}`);
    check((await row.getAttribute('data-band')) === (c.band || ''), `${c.code} con le scelte: fascia ${await row.getAttribute('data-band')}, attesa ${c.band}`);
  }
  const changed = chosen.courses.filter((c) => expected.courses.find((e) => e.code === c.code).total !== c.total);
  check(changed.length > 0, 'le scelte non hanno cambiato alcun totale: la prova non distingue');
  const shot = join(artifactDir, 'upload-page-choices.png');
  await page.locator('#upload-form').screenshot({ path: shot });
  // Back to the defaults for what follows.
  await page.locator('#erratum-E-2').selectOption('');
  await page.locator('#interpretazione-I-7').selectOption(info.interpretations.find((i) => i.id === 'I-7').default);
  return shot;
}

// errorReplaces: a failed upload after a result removes the result.
async function errorReplaces(page) {
  check(await page.locator('#results').isVisible(), 'prima dell\'errore il risultato dovrebbe essere visibile');
  await page.setInputFiles('#file', { name: 'seconda.csv', mimeType: 'text/csv', buffer: Buffer.from('a;b\n') });
  await page.locator('#error[role="alert"]').waitFor({ state: 'visible', timeout: 30_000 });
  check(await page.locator('#results').isHidden(), 'dopo un errore resta visibile il risultato precedente');
  check(await page.locator('#report > *').count() === 0, 'dopo un errore il risultato precedente resta nella pagina');
}

// templateDownload: the link on the page downloads the blank template.
async function templateDownload(page) {
  const link = page.locator('#template-link');
  check(await link.count() === 1, 'manca il collegamento al modello vuoto');
  const dl = await downloadBy(page, () => link.click(), 30_000);
  check(dl.suggestedFilename() === 'official-workbook.xlsx', `nome del modello scaricato: ${dl.suggestedFilename()}`);
  const saved = join(artifactDir, 'modello-' + dl.suggestedFilename());
  await dl.saveAs(saved);
  return saved;
}

// staticPages: the privacy note and the accessibility statement, reached
// from the footer, with the header and the footer of every page.
async function staticPages(browser, problems) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'it-IT' });
  const page = await context.newPage();
  watch(page, problems, 'pagine');
  const shots = [];
  await page.goto(baseURL + '/', { waitUntil: 'load' });
  for (const [href, h1, file] of [['/privacy', 'Informativa', 'privacy.png'], ['/accessibilita', 'Dichiarazione di accessibilità', 'accessibilita.png']]) {
    await page.locator(`footer a[href="${href}"]`).click();
    await page.waitForURL(baseURL + href);
    check(await page.locator('html[lang="it"]').count() === 1, `${href}: lingua non dichiarata`);
    check((await page.locator('h1').textContent()).includes(h1), `${href}: titolo ${await page.locator('h1').textContent()}`);
    for (const l of ['/', '/regione', '/modello.xlsx']) {
      check(await page.locator(`header a[href="${l}"]`).count() >= 1, `${href}: l'intestazione non ha il collegamento ${l}`);
    }
    const low = await contrastProblems(page, '.app-slim-links a, .app-footer-links a, main a, main p');
    check(low.length === 0, `${href}: contrasto insufficiente: ${low.join('; ')}`);
    const shot = join(artifactDir, file);
    await page.screenshot({ path: shot, fullPage: true });
    shots.push(shot);
  }
  await context.close();
  return shots;
}

async function taskPane(browser, problems) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 420, height: 900 }, locale: 'it-IT' });
  // A closed network: Microsoft's CDN cannot be reached.
  await context.route('https://appsforoffice.microsoft.com/**', (route) => route.abort('addressunreachable'));
  const page = await context.newPage();
  watch(page, problems, 'riquadro');
  await page.goto(baseURL + '/addin/taskpane.html', { waitUntil: 'load' });
  const form = page.locator('#upload-form');
  await form.waitFor({ state: 'visible', timeout: 10_000 });
  check(await page.locator('#office-panel').isHidden(), 'fuori da Office il riquadro mostra i comandi di Excel');
  const mode = (await page.locator('#mode').textContent()).trim();
  check(mode.includes('fuori da Excel'), `messaggio di modalità inatteso: ${mode}`);

  await page.setInputFiles('#file', workbook);
  await page.locator('#results').waitFor({ state: 'visible', timeout: 60_000 });
  check(await page.locator('tr.rp-course-row').count() === expected.courses.length, 'il riquadro non mostra tutti i percorsi');
  check(await page.locator('#insert-group').isHidden(), 'fuori da Excel il riquadro offre di inserire i fogli');
  const paneText = await page.locator('#results').innerText();
  check(!paneText.includes('[object') && !paneText.includes('undefined'), 'il riquadro mostra valori non risolti');
  const finding = page.locator('li.rp-finding[data-cell="Percorsi!L7"][data-rule="LEG-STAGE-MIN"]');
  check(await finding.count() === 1, 'il riquadro non mostra il rilievo LEG-STAGE-MIN sulla cella Percorsi!L7');
  const low = await contrastProblems(page, '.rp-band, .rp-sev, .tp-primary, .rp-trace > summary');
  check(low.length === 0, `contrasto insufficiente nel riquadro: ${low.join('; ')}`);
  const shot = join(artifactDir, 'taskpane-fallback.png');
  await page.screenshot({ path: shot, fullPage: false });

  const download = await downloadBy(page, () => page.locator('#download').click());
  check(download.suggestedFilename().endsWith('-verificato.xlsx'), `nome del file scaricato dal riquadro: ${download.suggestedFilename()}`);
  const pdf = await downloadBy(page, () => page.locator('#download-pdf').click());
  check(pdf.suggestedFilename().endsWith('-verbale.pdf'), `nome del verbale scaricato dal riquadro: ${pdf.suggestedFilename()}`);
  await context.close();
  return { screenshots: [shot] };
}

await runBrowser(async (browser, problems) => {
  const up = await uploadPage(browser, problems);
  const tp = await taskPane(browser, problems);
  const pages = await staticPages(browser, problems);
  return { ok: true, download: up.download, template: up.template, print: up.print, screenshots: [...up.screenshots, ...tp.screenshots, ...pages] };
});
