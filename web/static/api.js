// The server's API as the pages and the task pane use it: GET /api/info,
// POST /api/audit (JSON report or annotated workbook) and POST /api/batch
// (the regional summary, JSON or workbook). Errors come back as
// ApiError with the server's Italian message, shown to users as is.

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

// Defaults used when /api/info cannot be read (the server answers it without
// a token, so this only happens when the server is unreachable).
const DEFAULT_INFO = {
  version: '',
  max_upload_bytes: 20 * 1024 * 1024,
  token_required: false,
  readings: ['tables', 'coherent', 'literal'],
  default_reading: 'tables',
};

export async function getInfo() {
  try {
    const resp = await fetch('/api/info', { headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (!resp.ok) {
      return { ...DEFAULT_INFO };
    }
    return { ...DEFAULT_INFO, ...(await resp.json()) };
  } catch {
    return { ...DEFAULT_INFO };
  }
}

// errorFrom turns a failed response into an ApiError, with the server's
// message when the body is the API's JSON error.
async function errorFrom(resp) {
  let body = null;
  try {
    body = await resp.json();
  } catch {
    body = null;
  }
  if (body && typeof body.message === 'string' && body.message !== '') {
    return new ApiError(body.code || 'error', body.message, body.status || resp.status);
  }
  return new ApiError('http_' + resp.status, `Il server ha risposto con un errore imprevisto (HTTP ${resp.status}). Riprovare più tardi.`, resp.status);
}

// audit posts the workbook and returns the JSON report (format "json") or
// {blob, fileName} (format "xlsx"). file is a File (sent as multipart, field
// "file") or an ArrayBuffer/Uint8Array (sent raw, named by fileName).
/**
 * @param {File | ArrayBuffer | Uint8Array} file
 * @param {{reading?: string, errata?: string[], interpretations?: string[], format?: string, token?: string, fileName?: string}} [options]
 */
export async function audit(file, { reading, errata = [], interpretations = [], format = 'json', token = '', fileName = '' } = {}) {
  const headers = {};
  let body;
  if (typeof File !== 'undefined' && file instanceof File) {
    body = new FormData();
    body.append('file', file, file.name);
  } else {
    body = file;
    headers['Content-Type'] = XLSX_TYPE;
    if (fileName) headers['X-File-Name'] = encodeURIComponent(fileName);
  }
  return post('/api/audit', body, headers, { reading, errata, interpretations, format, token, fallbackName: 'verificato.xlsx' });
}

// batchAudit posts several workbooks (each in a multipart field "file") and
// returns the regional summary as JSON (format "json") or {blob, fileName}
// (format "xlsx").
/**
 * @param {File[]} files
 * @param {{reading?: string, errata?: string[], interpretations?: string[], format?: string, token?: string,
 *   onProgress?: ((sent: number, total: number, done: boolean) => void) | null}} [options]
 */
export async function batchAudit(files, { reading, errata = [], interpretations = [], format = 'json', token = '', onProgress = null } = {}) {
  const body = new FormData();
  for (const f of files) body.append('file', f, f.name);
  const fallbackName = format === 'zip' ? 'verifica-regionale.zip' : 'riepilogo-verifica.xlsx';
  if (onProgress) {
    return postWithProgress('/api/batch', body, { reading, errata, interpretations, format, token, fallbackName, onProgress });
  }
  return post('/api/batch', body, {}, { reading, errata, interpretations, format, token, fallbackName });
}

// queryOf is the query string of an audit request's choices.
function queryOf({ reading, errata = [], interpretations = [], format }) {
  const params = new URLSearchParams();
  if (reading) params.set('reading', reading);
  for (const e of errata) params.append('erratum', e);
  for (const i of interpretations) params.append('interpretation', i);
  params.set('format', format);
  return params.toString();
}

const BINARY = { xlsx: XLSX_TYPE, pdf: 'application/pdf', zip: 'application/zip' };

// postWithProgress is post through XMLHttpRequest, whose upload reports
// its progress (fetch does not): onProgress(sent, total) while the body
// goes out, then onProgress(total, total, true) when the server has it all
// and is working on the answer.
function postWithProgress(path, body, { reading, errata, interpretations, format, token, fallbackName, onProgress }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path + '?' + queryOf({ reading, errata, interpretations, format }));
    const binary = BINARY[format];
    xhr.setRequestHeader('Accept', binary || 'application/json');
    if (token) xhr.setRequestHeader('Authorization', 'Bearer ' + token);
    xhr.responseType = binary ? 'blob' : 'text';
    xhr.upload.addEventListener('progress', (ev) => {
      if (ev.lengthComputable) onProgress(ev.loaded, ev.total, false);
    });
    xhr.upload.addEventListener('load', (ev) => onProgress(ev.total || 1, ev.total || 1, true));
    xhr.addEventListener('error', () => reject(new ApiError('network', 'Impossibile contattare il server di verifica: controllare la connessione e riprovare.', 0)));
    xhr.addEventListener('load', async () => {
      const ok = xhr.status >= 200 && xhr.status < 300;
      const text = async () => (xhr.responseType === 'blob' ? xhr.response.text() : xhr.responseText);
      if (!ok) {
        let parsed = null;
        try {
          parsed = JSON.parse(await text());
        } catch {
          parsed = null;
        }
        if (parsed && typeof parsed.message === 'string' && parsed.message !== '') {
          reject(new ApiError(parsed.code || 'error', parsed.message, parsed.status || xhr.status));
        } else {
          reject(new ApiError('http_' + xhr.status, `Il server ha risposto con un errore imprevisto (HTTP ${xhr.status}). Riprovare più tardi.`, xhr.status));
        }
        return;
      }
      if (binary) {
        resolve({ blob: xhr.response, fileName: attachmentName(xhr.getResponseHeader('Content-Disposition')) || fallbackName });
        return;
      }
      try {
        resolve(JSON.parse(xhr.responseText));
      } catch {
        reject(new ApiError('bad_answer', 'La risposta del server non è leggibile: riprovare.', xhr.status));
      }
    });
    xhr.send(body);
  });
}

// post sends body to an audit endpoint and reads its answer: JSON, or
// {blob, fileName} for format "xlsx" or "pdf" (the verbale); a failure is
// an ApiError.
async function post(path, body, headers, { reading, errata, interpretations, format, token, fallbackName }) {
  const query = queryOf({ reading, errata, interpretations, format });
  const binary = BINARY[format];
  headers = { ...headers, Accept: binary || 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  let resp;
  try {
    resp = await fetch(path + '?' + query, { method: 'POST', headers, body, cache: 'no-store' });
  } catch (err) {
    throw new ApiError('network', 'Impossibile contattare il server di verifica: controllare la connessione e riprovare.', 0);
  }
  if (!resp.ok) {
    throw await errorFrom(resp);
  }
  if (binary) {
    const blob = await resp.blob();
    const fallback = format === 'pdf' ? fallbackName.replace(/\.(xlsx|zip)$/, '.pdf') : fallbackName;
    return { blob, fileName: attachmentName(resp.headers.get('Content-Disposition')) || fallback };
  }
  return resp.json();
}

// attachmentName reads the file name of a Content-Disposition header
// (filename*=UTF-8'' first, then filename=).
export function attachmentName(header) {
  if (!header) return '';
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/i.exec(header);
  if (plain) return (plain[1] ?? plain[2] ?? '').trim();
  return '';
}

// saveBlob offers blob to the user as a download named fileName.
export function saveBlob(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// sizeText writes a byte count in Italian (20 MB, 512 KB).
export function sizeText(n) {
  if (n >= 1024 * 1024) {
    const mb = n / (1024 * 1024);
    return (Number.isInteger(mb) ? mb : mb.toLocaleString('it-IT', { maximumFractionDigits: 1 })) + ' MB';
  }
  if (n >= 1024) return Math.round(n / 1024) + ' KB';
  return n + ' byte';
}
