// Real-browser test of the regional page (/regione), driven by
// web/browser_test.go:
//
//   node web/e2e/regione.mjs BASEURL ARTIFACTDIR EXPECTED.json FILE...
//
// Debian's chromium loads the page, reaches the file input with the
// keyboard, uploads the FILEs together, checks the summary shown against
// EXPECTED.json (the server's JSON summary of the same files): every course
// with its total, every foundation, every verdict of the three-year rule,
// every file not audited with its reason; checks the contrast of the
// coloured labels, then downloads the summary workbook with the keyboard.
// Issue 13: the upload's progress is shown; the files not audited, the
// duplicates and the foundations with two files for one year come first;
// a course's «Dettaglio» shows its trace (its total as the summary's); the
// regional verbale (PDF) and the ZIP of everything download without
// choosing the files again.
// The screenshot and the download go to ARTIFACTDIR; the last line of
// standard output is a JSON summary. Any failed check exits with status 1.

import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { check, contrastProblems, downloadBy, downloadWithKeyboard, it2, runBrowser, tabReaches } from './common.mjs';

const [baseURL, artifactDir, expectedPath, ...files] = process.argv.slice(2);
if (!baseURL || !artifactDir || !expectedPath || files.length === 0) {
  console.error('usage: node regione.mjs BASEURL ARTIFACTDIR EXPECTED.json FILE...');
  process.exit(2);
}
mkdirSync(artifactDir, { recursive: true });
const expected = JSON.parse(readFileSync(expectedPath, 'utf8'));

await runBrowser(async (browser, problems) => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 }, locale: 'it-IT' });
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`errore JavaScript: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  await page.goto(baseURL + '/regione', { waitUntil: 'load' });
  check((await page.title()).includes('Riepilogo regionale'), `titolo inatteso: ${await page.title()}`);
  check(await page.locator('html[lang="it"]').count() === 1, 'la pagina non dichiara lang="it"');

  check(await tabReaches(page, 'files'), 'il campo dei file non si raggiunge con il tasto Tab');
  check(await page.locator('#files[multiple]').count() === 1, 'il campo dei file non accetta più file');

  await page.setInputFiles('#files', files);
  // Record what the progress bar says while the files go out.
  await page.evaluate(() => {
    window.__progress = [];
    const text = document.getElementById('progress-text');
    const bar = document.getElementById('upload-progress');
    new MutationObserver(() => window.__progress.push({ text: text.textContent, value: bar.value, max: bar.max, visible: !document.getElementById('progress-group').hidden }))
      .observe(text, { childList: true, characterData: true, subtree: true });
  });
  await page.locator('#batch-form button[type="submit"]').click();
  await page.locator('#results').waitFor({ state: 'visible', timeout: 120_000 });
  const progress = await page.evaluate(() => window.__progress);
  const total = files.reduce((a, f) => a + readFileSync(f).length, 0);
  check(progress.length > 0 && progress.every((p) => p.visible), `avanzamento dell'invio non mostrato: ${JSON.stringify(progress)}`);
  const last = progress[progress.length - 1];
  check(last.value === last.max && last.max >= total && last.text.includes('verifica in corso'),
    `l'avanzamento non arriva alla fine dell'invio (${total} byte di file): ${JSON.stringify(last)}`);
  check(await page.locator('#progress-group').isHidden(), 'la barra di avanzamento resta visibile dopo la risposta');

  // Problems first: files not audited, duplicates, two files for one
  // foundation and year.
  const firstSection = await page.locator('#summary > section').first().getAttribute('id');
  check(firstSection === 'problemi', `la prima sezione del riepilogo è ${firstSection}, non i file non verificati e i doppi`);
  const skipped = expected.excluded.filter((x) => x.skipped);
  check(skipped.length === 1, `il test deve includere un duplicato: ${JSON.stringify(expected.excluded)}`);
  check(await page.locator(`ul.rg-skipped > li[data-name="${skipped[0].name}"]`).count() === 1, `duplicato ${skipped[0].name} non mostrato tra i duplicati`);
  const pairs = new Map();
  for (const c of expected.courses) {
    if (c.from || !c.year) continue;
    const k = `${c.foundation_code} ${c.year}`;
    if (!pairs.has(k)) pairs.set(k, new Set());
    pairs.get(k).add(c.file);
  }
  const twins = [...pairs].filter(([, fs]) => fs.size > 1);
  check(twins.length === 1, `il test deve includere due file della stessa fondazione e anno: ${[...pairs.keys()]}`);
  const [foundation, year] = twins[0][0].split(' ');
  const twinItem = page.locator(`ul.rg-twins > li[data-foundation="${foundation}"][data-year="${year}"]`);
  check(await twinItem.count() === 1, `fondazione ${foundation} con due file per il ${year} non segnalata`);
  for (const f of twins[0][1]) check((await twinItem.textContent()).includes(f), `la segnalazione non nomina ${f}`);

  // Every course of the server's summary, in its order, with its total.
  const rows = await page.locator('tr.rg-course-row').evaluateAll((trs) => trs.map((tr) => ({
    code: tr.dataset.code,
    total: tr.querySelector('.rg-total').textContent.trim(),
  })));
  check(rows.length === expected.courses.length && rows.length > 0, `percorsi mostrati: ${rows.length}, attesi ${expected.courses.length}`);
  expected.courses.forEach((c, i) => {
    const total = c.total === null ? 'non calcolato' : it2(c.total);
    check(rows[i].code === c.code && rows[i].total === total, `riga ${i + 1}: ${rows[i].code} ${rows[i].total}, attesi ${c.code} ${total}`);
  });
  const foundations = await page.locator('tr.rg-foundation-row').count();
  check(foundations === expected.foundations.length, `fondazioni mostrate: ${foundations}, attese ${expected.foundations.length}`);
  const verdicts = await page.locator('ul.rg-verdicts > li').count();
  check(verdicts === (expected.foundation_verdicts || []).length, `esiti della regola dei tre anni: ${verdicts}, attesi ${(expected.foundation_verdicts || []).length}`);

  // Files not audited, each with the reason the server gave.
  check(expected.excluded.length > 0, 'il test deve includere un file non verificabile');
  for (const x of expected.excluded) {
    const item = page.locator(`ul.${x.skipped ? 'rg-skipped' : 'rg-excluded'} > li[data-name="${x.name}"]`);
    check(await item.count() === 1, `file non verificato non mostrato: ${x.name}`);
    check((await item.textContent()).includes(x.reason), `motivo di ${x.name} non mostrato`);
  }
  const shown = await page.locator('#results').innerText();
  for (const junk of [/\[object /, /\bundefined\b/, /\bNaN\b/, /\bnull\b/]) {
    check(!junk.test(shown), `il riepilogo mostra «${junk.source}»`);
  }
  const low = await contrastProblems(page, '.rp-band, .rg-flag');
  check(low.length === 0, `contrasto insufficiente: ${low.join('; ')}`);
  const shot = join(artifactDir, 'regione.png');
  await page.screenshot({ path: shot, fullPage: true });

  // Drill-down: a course of the second file, to its trace.
  const pick = expected.courses.find((c) => c.total !== null && c.file === twins[0][1].values().next().value) || expected.courses.find((c) => c.total !== null);
  const drill = page.locator(`tr.rg-course-row[data-code="${pick.code}"][data-file="${pick.file}"] button.rg-drill`);
  check(await drill.count() === 1, `manca il dettaglio di ${pick.code} (${pick.file})`);
  await drill.click();
  const drilled = page.locator(`#drill-report section.rp-course.rg-drilled[data-code="${pick.code}"]`);
  await drilled.waitFor({ state: 'visible', timeout: 60_000 });
  check((await drilled.locator('.rp-course-facts .rp-total').textContent()).trim() === it2(pick.total), `dettaglio di ${pick.code}: totale diverso dal riepilogo`);
  check(await drilled.locator(':scope > details.rp-trace').first().evaluate((d) => d.open), `dettaglio di ${pick.code}: la traccia del totale non è aperta`);
  check(await page.evaluate(() => document.activeElement && document.activeElement.classList.contains('rg-drilled')), 'il fuoco non va al percorso del dettaglio');
  const shotDrill = join(artifactDir, 'regione-dettaglio.png');
  await page.screenshot({ path: shotDrill, fullPage: false });

  // The verbale and the ZIP: the files chosen once are posted again.
  const chosenBefore = await page.locator('#files').evaluate((i) => i.files.length);
  await page.locator('#files').evaluate((i) => { i.value = ''; });
  const pdf = await downloadBy(page, () => page.locator('#download-pdf').click(), 120_000);
  check(pdf.suggestedFilename() === 'riepilogo-verifica.pdf', `nome del verbale regionale: ${pdf.suggestedFilename()}`);
  const pdfSaved = join(artifactDir, pdf.suggestedFilename());
  await pdf.saveAs(pdfSaved);
  check(readFileSync(pdfSaved).subarray(0, 5).toString() === '%PDF-', 'il verbale regionale non è un PDF');
  const zip = await downloadBy(page, () => page.locator('#download-zip').click(), 120_000);
  check(zip.suggestedFilename() === 'verifica-regionale.zip', `nome dell'archivio: ${zip.suggestedFilename()}`);
  const zipSaved = join(artifactDir, zip.suggestedFilename());
  await zip.saveAs(zipSaved);
  check(chosenBefore === files.length, `file scelti ${chosenBefore}`);

  // The summary workbook, downloaded with the keyboard.
  const download = await downloadWithKeyboard(page, '#download', 120_000);
  check(download.suggestedFilename() === 'riepilogo-verifica.xlsx', `nome del riepilogo scaricato: ${download.suggestedFilename()}`);
  const saved = join(artifactDir, download.suggestedFilename());
  await download.saveAs(saved);
  await context.close();
  return { ok: true, download: saved, zip: zipSaved, pdf: pdfSaved, screenshots: [shot, shotDrill] };
});
