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
// The screenshot and the download go to ARTIFACTDIR; the last line of
// standard output is a JSON summary. Any failed check exits with status 1.

import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS, check, contrastProblems, it2 } from './common.mjs';

const [baseURL, artifactDir, expectedPath, ...files] = process.argv.slice(2);
if (!baseURL || !artifactDir || !expectedPath || files.length === 0) {
  console.error('usage: node regione.mjs BASEURL ARTIFACTDIR EXPECTED.json FILE...');
  process.exit(2);
}
mkdirSync(artifactDir, { recursive: true });
const expected = JSON.parse(readFileSync(expectedPath, 'utf8'));

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
const problems = [];
let result;
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 }, locale: 'it-IT' });
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`errore JavaScript: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  await page.goto(baseURL + '/regione', { waitUntil: 'load' });
  check((await page.title()).includes('Riepilogo regionale'), `titolo inatteso: ${await page.title()}`);
  check(await page.locator('html[lang="it"]').count() === 1, 'la pagina non dichiara lang="it"');

  let reached = false;
  for (let i = 0; i < 15 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement && document.activeElement.id === 'files');
  }
  check(reached, 'il campo dei file non si raggiunge con il tasto Tab');
  check(await page.locator('#files[multiple]').count() === 1, 'il campo dei file non accetta più file');

  await page.setInputFiles('#files', files);
  await page.locator('#batch-form button[type="submit"]').click();
  await page.locator('#results').waitFor({ state: 'visible', timeout: 120_000 });

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
    const item = page.locator(`ul.rg-excluded > li[data-name="${x.name}"]`);
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

  // The summary workbook, downloaded with the keyboard.
  await page.locator('#download').focus();
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    page.keyboard.press('Enter'),
  ]);
  check(download.suggestedFilename() === 'riepilogo-verifica.xlsx', `nome del riepilogo scaricato: ${download.suggestedFilename()}`);
  const saved = join(artifactDir, download.suggestedFilename());
  await download.saveAs(saved);
  check(problems.length === 0, problems.join('\n'));
  await context.close();
  result = { ok: true, download: saved, screenshots: [shot] };
} catch (err) {
  console.error(err.message);
  if (problems.length) console.error(problems.join('\n'));
  await browser.close();
  process.exit(1);
}
await browser.close();
console.log(JSON.stringify(result));
