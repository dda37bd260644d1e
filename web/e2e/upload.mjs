// Real-browser test of auditor's web interface, driven by web/browser_test.go:
//
//   node web/e2e/upload.mjs BASEURL ARTIFACTDIR WORKBOOK EXPECTED.json
//
// Debian's chromium (no downloaded browser) loads the upload page, reaches
// the file input with the keyboard, uploads WORKBOOK, checks the course table
// and the findings against EXPECTED.json (the server's JSON report of the
// same file) and against values read from the CLI's report, expands traces,
// checks the contrast of the coloured labels, downloads the annotated
// workbook with the keyboard, shows an upload error, then loads the task pane
// with office.js unreachable and checks that its fallback audits a file.
// Screenshots and the downloaded workbook go to ARTIFACTDIR; the last line of
// standard output is a JSON summary. Any failed check exits with status 1.

import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { join, basename } from 'node:path';
import { CHROMIUM_ARGS, check, contrastProblems, it2 } from './common.mjs';

const [baseURL, artifactDir, workbook, expectedPath] = process.argv.slice(2);
if (!baseURL || !artifactDir || !workbook || !expectedPath) {
  console.error('usage: node upload.mjs BASEURL ARTIFACTDIR WORKBOOK EXPECTED.json');
  process.exit(2);
}
mkdirSync(artifactDir, { recursive: true });
const expected = JSON.parse(readFileSync(expectedPath, 'utf8'));

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
  let reached = false;
  for (let i = 0; i < 15 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement && document.activeElement.id === 'file');
  }
  check(reached, 'il campo del file non si raggiunge con il tasto Tab');
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

  const low = await contrastProblems(page, '.rp-band, .rp-sev, .btn-primary, .rp-trace > summary, .rp-course a, .rp-summary a, .rp-muted');
  check(low.length === 0, `contrasto insufficiente: ${low.join('; ')}`);

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
  await page.locator('#download').focus();
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.keyboard.press('Enter'),
  ]);
  const suggested = download.suggestedFilename();
  check(suggested === basename(workbook).replace(/\.xlsx$/, '') + '-verificato.xlsx', `nome del file scaricato: ${suggested}`);
  const saved = join(artifactDir, suggested);
  await download.saveAs(saved);

  // The verbale (PDF), with the keyboard too.
  await page.locator('#download-pdf').focus();
  const [pdf] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.keyboard.press('Enter'),
  ]);
  const pdfName = pdf.suggestedFilename();
  check(pdfName === basename(workbook).replace(/\.xlsx$/, '') + '-verbale.pdf', `nome del verbale scaricato: ${pdfName}`);
  const pdfSaved = join(artifactDir, pdfName);
  await pdf.saveAs(pdfSaved);
  check(readFileSync(pdfSaved).subarray(0, 5).toString() === '%PDF-', 'il verbale scaricato non è un PDF');
  await context.close();
  return { screenshots: [shotTop, shotTrace, shotFull], download: saved };
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

  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.locator('#download').click(),
  ]);
  check(download.suggestedFilename().endsWith('-verificato.xlsx'), `nome del file scaricato dal riquadro: ${download.suggestedFilename()}`);
  const [pdf] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.locator('#download-pdf').click(),
  ]);
  check(pdf.suggestedFilename().endsWith('-verbale.pdf'), `nome del verbale scaricato dal riquadro: ${pdf.suggestedFilename()}`);
  await context.close();
  return { screenshots: [shot] };
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
const problems = [];
let result;
try {
  const up = await uploadPage(browser, problems);
  const tp = await taskPane(browser, problems);
  check(problems.length === 0, problems.join('\n'));
  result = { ok: true, download: up.download, screenshots: [...up.screenshots, ...tp.screenshots] };
} catch (err) {
  console.error(err.message);
  if (problems.length) console.error(problems.join('\n'));
  await browser.close();
  process.exit(1);
}
await browser.close();
console.log(JSON.stringify(result));
