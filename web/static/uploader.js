// The upload flow shared by the page and the task pane outside Office:
// choose or drop an .xlsx, audit it, show the report, download the annotated
// copy (the server keeps nothing, so the same file is posted again with
// format=xlsx). Elements are found by id inside root.

import { audit, getInfo, saveBlob, sizeText } from './api.js';
import { renderReport } from './report.js';
import { setupChoices } from './choices.js';
import { formState, watchDrop } from './form.js';

export async function setupUpload(root, { headingLevel = 3, compact = false } = {}) {
  const $ = (id) => root.querySelector('#' + id);
  const form = $('upload-form');
  const input = $('file');
  const drop = $('dropzone');
  const reading = $('reading');
  const tokenGroup = $('token-group');
  const token = $('token');
  const ui = formState({ form, status: $('status'), error: $('error'), root });
  const results = $('results');
  const report = $('report');
  const download = $('download');
  const limitNote = $('limit');

  const info = await getInfo();
  if (info.token_required) tokenGroup.hidden = false;
  if (limitNote) limitNote.textContent = `Dimensione massima: ${sizeText(info.max_upload_bytes)}.`;
  if (reading && info.default_reading) reading.value = info.default_reading;
  // The pack's readings, errata and interpretations as controls (where the
  // page has a place for them).
  const choices = setupChoices({ reading, container: $('choices-controls') }, info);
  const chosen = () => ({ ...choices.values(), token: token ? token.value.trim() : '' });

  let current = null; // the File last audited

  // A failed audit replaces the previous result: what stays on screen is
  // never the result of another file or of other choices.
  const dropResult = () => {
    results.hidden = true;
    report.replaceChildren();
    current = null;
  };

  const check = (file) => {
    if (!file) return 'Scegliere un file .xlsx da verificare.';
    if (file.size > info.max_upload_bytes) {
      return `Il file «${file.name}» pesa ${sizeText(file.size)}: il limite è ${sizeText(info.max_upload_bytes)}.`;
    }
    return '';
  };

  const run = async (file) => {
    if (ui.busy) return;
    ui.clearError();
    const problem = check(file);
    if (problem) {
      dropResult();
      ui.showError(problem);
      return;
    }
    await ui.task(`Verifica di «${file.name}» in corso…`, async () => {
      const rep = await audit(file, chosen());
      current = file;
      renderReport(report, rep, { fileName: file.name, headingLevel, compact, bands: info.bands });
      results.hidden = false;
      ui.setStatus(`Verifica di «${file.name}» completata.`);
      const title = $('results-title');
      if (title) title.focus();
    }, { fail: dropResult });
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run(input.files[0]);
  });
  input.addEventListener('change', () => {
    if (input.files[0]) run(input.files[0]);
  });

  // Drag and drop: the zone highlights while a file is over it; the dropped
  // file goes into the input too, so that "Verifica" repeats the audit.
  watchDrop(drop, (files, transfer) => {
    if (!files[0]) return;
    try {
      input.files = transfer.files;
    } catch {
      // Older browsers cannot assign files: the audit still runs.
    }
    run(files[0]);
  });

  // fetchAs downloads the audited copy (xlsx) or the verbale (pdf).
  const fetchAs = (format, what) => async () => {
    if (!current) return;
    await ui.task(`Preparazione ${what.of} di «${current.name}»…`, async () => {
      const { blob, fileName } = await audit(current, { ...chosen(), format });
      saveBlob(blob, fileName);
      ui.setStatus(`${what.done}: ${fileName}.`);
    });
  };
  download.addEventListener('click', fetchAs('xlsx', { of: 'della copia verificata', done: 'Copia verificata scaricata' }));
  const downloadPDF = $('download-pdf');
  if (downloadPDF) {
    downloadPDF.addEventListener('click', fetchAs('pdf', { of: 'del verbale di verifica', done: 'Verbale di verifica scaricato' }));
  }
  return { run };
}
