// The Excel task pane (/addin/taskpane.html). Inside Excel it reads the open
// workbook with Office.js (compressed, in 64 KB slices), posts it raw to
// /api/audit, shows the report, selects a finding's cell on click, and can
// insert the result sheets into the open workbook (ExcelApi 1.13). Outside
// Office (office.js not loaded, no host, or no answer in time) it behaves as
// the upload page: file chooser, same report, download.

import { ApiError, audit, getInfo, saveBlob, sizeText } from './api.js';
import { renderReport } from './report.js';
import { setupUpload } from './uploader.js';

const OFFICE_WAIT_MS = 4000;
const SLICE_SIZE = 65536;
// The product's sheets that Excel on the web accepts from an add-in: Esito
// is left out, it holds a chart.
const INSERTABLE_SHEETS = ['Rilievi', 'Punteggi', 'Spiegazioni', 'Sensibilità', 'Regole', 'Timbro'];
// The workbook-level name listing the sheets the product added
// (xlsxio's markerName): the server replaces only the sheets it lists.
const MARKER_NAME = 'auditor_fogli_prodotto';

const $ = (id) => document.getElementById(id);
// field is a form control of the pane (a select or an input).
const field = (id) => /** @type {HTMLInputElement | HTMLSelectElement} */ ($(id));

// officeReady resolves with Office.onReady's info inside an Office host, or
// null: office.js missing (closed network, plain browser), no host, or no
// answer within OFFICE_WAIT_MS.
function officeReady() {
  return new Promise((resolve) => {
    const office = window.Office;
    if (!office || typeof office.onReady !== 'function') {
      resolve(null);
      return;
    }
    const timer = setTimeout(() => resolve(null), OFFICE_WAIT_MS);
    try {
      office.onReady((info) => {
        clearTimeout(timer);
        resolve(info && info.host ? info : null);
      });
    } catch {
      clearTimeout(timer);
      resolve(null);
    }
  });
}

function officeError(what, result) {
  const detail = result && result.error && result.error.message ? ` (${result.error.message})` : '';
  return new ApiError('office', `${what}${detail}.`, 0);
}

// readOpenWorkbook returns the bytes of the open workbook, as Office saves
// it, assembled from its slices; the file is always closed.
function readOpenWorkbook(maxBytes) {
  const Office = window.Office;
  return new Promise((resolve, reject) => {
    Office.context.document.getFileAsync(Office.FileType.Compressed, { sliceSize: SLICE_SIZE }, (res) => {
      if (res.status !== Office.AsyncResultStatus.Succeeded) {
        reject(officeError('Excel non ha consegnato il file aperto', res));
        return;
      }
      const file = res.value;
      const close = () => file.closeAsync(() => {});
      if (file.size > maxBytes) {
        close();
        reject(new ApiError('too_large', `Il file aperto pesa ${sizeText(file.size)}: il limite è ${sizeText(maxBytes)}.`, 413));
        return;
      }
      const out = new Uint8Array(file.size);
      let offset = 0;
      const next = (i) => {
        if (i >= file.sliceCount) {
          close();
          resolve(offset === out.length ? out : out.slice(0, offset));
          return;
        }
        file.getSliceAsync(i, (sr) => {
          if (sr.status !== Office.AsyncResultStatus.Succeeded) {
            close();
            reject(officeError(`Lettura del file aperto interrotta alla parte ${i + 1} di ${file.sliceCount}`, sr));
            return;
          }
          const data = sr.value.data;
          const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
          if (offset + bytes.length > out.length) {
            close();
            reject(new ApiError('office', 'Excel ha consegnato più dati di quanti ne aveva annunciati: riprovare.', 0));
            return;
          }
          out.set(bytes, offset);
          offset += bytes.length;
          next(i + 1);
        });
      };
      next(0);
    });
  });
}

// documentName is the open workbook's file name, when Office knows it.
function documentName() {
  const url = (window.Office && window.Office.context && window.Office.context.document && window.Office.context.document.url) || '';
  const base = url.split(/[\\/]/).pop().split('?')[0];
  try {
    const name = decodeURIComponent(base);
    return /\.xlsx$/i.test(name) ? name : (name ? name + '.xlsx' : 'cartella.xlsx');
  } catch {
    return 'cartella.xlsx';
  }
}

// parseCell splits "Percorsi!H5" or "'Foglio 1'!B2" into sheet and address.
export function parseCell(ref) {
  const m = /^(?:'((?:[^']|'')+)'|([^!]+))!(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)$/.exec(ref || '');
  if (!m) return null;
  return { sheet: m[1] !== undefined ? m[1].replace(/''/g, "'") : m[2], address: m[3] };
}

async function selectCell(ref) {
  const where = parseCell(ref);
  if (!where) throw new ApiError('cell', `Cella non riconosciuta: ${ref}.`, 0);
  await window.Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem(where.sheet);
    sheet.activate();
    sheet.getRange(where.address).select();
    await context.sync();
  });
}

function blobToBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const s = String(reader.result);
      resolve(s.slice(s.indexOf(',') + 1));
    };
    reader.onerror = () => reject(new ApiError('read', 'Impossibile leggere la copia verificata ricevuta dal server.', 0));
    reader.readAsDataURL(blob);
  });
}

async function insertSheets(base64) {
  const Excel = window.Excel;
  await Excel.run(async (context) => {
    const sheets = context.workbook.worksheets;
    const existing = INSERTABLE_SHEETS.map((name) => sheets.getItemOrNullObject(name));
    await context.sync();
    for (const ws of existing) if (!ws.isNullObject) ws.delete();
    await context.sync();
    context.workbook.insertWorksheetsFromBase64(base64, {
      sheetNamesToInsert: INSERTABLE_SHEETS,
      positionType: Excel.WorksheetPositionType.end,
    });
    await context.sync();
    // Record the inserted sheets in the product's marker (the workbook-level
    // name the server reads), so that the next audit of this workbook
    // replaces them instead of refusing them as the user's own sheets.
    const names = context.workbook.names;
    const marker = names.getItemOrNullObject(MARKER_NAME);
    marker.load('formula');
    await context.sync();
    const listed = new Set(INSERTABLE_SHEETS);
    if (!marker.isNullObject) {
      for (const s of String(marker.formula || '').replace(/^[="]+|"+$/g, '').split(';')) if (s) listed.add(s);
      marker.delete();
    }
    names.add(MARKER_NAME, `="${[...listed].join(';')}"`, 'Fogli aggiunti da auditor: sostituiti a ogni nuova verifica.');
    await context.sync();
    sheets.getItem('Rilievi').activate();
    await context.sync();
  });
}

async function runInExcel(info) {
  const settings = await getInfo();
  if (settings.token_required) $('token-group').hidden = false;
  if (settings.default_reading) field('reading').value = settings.default_reading;
  $('office-panel').hidden = false;
  $('mode').textContent = 'Collegato a Excel: verifica il file aperto.';

  const Office = window.Office;
  const canInsert = Office.context.requirements && Office.context.requirements.isSetSupported('ExcelApi', '1.13');
  const status = $('status');
  const error = $('error');
  let bytes = null;
  let name = 'cartella.xlsx';
  let busy = false;

  const showError = (err) => {
    error.textContent = (err && err.message) || String(err);
    error.hidden = false;
    error.focus();
  };
  const lock = (on) => {
    busy = on;
    for (const b of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('button[data-lock]'))) b.disabled = on;
  };
  const options = (format) => ({
    reading: field('reading').value, format, token: field('token').value.trim(), fileName: name,
  });
  const guarded = (fn) => async () => {
    if (busy) return;
    error.hidden = true;
    lock(true);
    try {
      await fn();
    } catch (err) {
      status.textContent = '';
      showError(err);
    } finally {
      lock(false);
    }
  };

  $('audit-open').addEventListener('click', guarded(async () => {
    status.textContent = 'Lettura del file aperto…';
    bytes = await readOpenWorkbook(settings.max_upload_bytes);
    name = documentName();
    status.textContent = `Verifica di «${name}» in corso…`;
    const report = await audit(bytes, options('json'));
    renderReport($('report'), report, {
      fileName: name,
      compact: true,
      bands: settings.bands,
      onCellClick: (cell) => selectCell(cell).catch((err) => showError(new ApiError('cell',
        `Impossibile selezionare la cella ${cell}: ${(err && err.message) || err}`, 0))),
    });
    $('results').hidden = false;
    $('insert-group').hidden = !canInsert;
    status.textContent = `Verifica di «${name}» completata.`;
    $('results-title').focus();
  }));

  $('download').addEventListener('click', guarded(async () => {
    if (!bytes) return;
    status.textContent = 'Preparazione della copia verificata…';
    const { blob, fileName } = await audit(bytes, options('xlsx'));
    saveBlob(blob, fileName);
    status.textContent = `Copia verificata scaricata: ${fileName}.`;
  }));

  $('download-pdf').addEventListener('click', guarded(async () => {
    if (!bytes) return;
    status.textContent = 'Preparazione del verbale di verifica…';
    const { blob, fileName } = await audit(bytes, options('pdf'));
    saveBlob(blob, fileName);
    status.textContent = `Verbale di verifica scaricato: ${fileName}.`;
  }));

  $('insert-sheets').addEventListener('click', guarded(async () => {
    if (!bytes) return;
    status.textContent = 'Preparazione dei fogli dei risultati…';
    const { blob } = await audit(bytes, options('xlsx'));
    const base64 = await blobToBase64(blob);
    status.textContent = 'Inserimento dei fogli nel file aperto…';
    try {
      await insertSheets(base64);
    } catch (err) {
      throw new ApiError('office', `Excel non ha inserito i fogli: ${(err && err.message) || err}. Scaricare la copia verificata.`, 0);
    }
    status.textContent = `Fogli inseriti: ${INSERTABLE_SHEETS.join(', ')}.`;
  }));
}

async function main() {
  const info = await officeReady();
  if (info && window.Office && info.host === window.Office.HostType.Excel) {
    await runInExcel(info);
    return;
  }
  $('mode').textContent = info
    ? 'Questo componente aggiuntivo funziona in Excel: qui puoi verificare un file scelto dal computer.'
    : 'Aperto fuori da Excel: scegli o trascina un file da verificare.';
  $('upload-form').hidden = false;
  await setupUpload(document, { headingLevel: 3, compact: true });
}

main();
