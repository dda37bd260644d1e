// The parts of an upload form that the upload page, the task pane outside
// Office and the regional page share: the drop zone, and the form's state
// (the status line, the error box and the lock on the buttons marked
// data-lock while a request runs).

// watchDrop highlights the zone while files are dragged over it and hands
// the dropped files to onDrop.
export function watchDrop(zone, onDrop) {
  for (const type of ['dragenter', 'dragover']) {
    zone.addEventListener(type, (ev) => {
      ev.preventDefault();
      zone.classList.add('is-dragover');
    });
  }
  for (const type of ['dragleave', 'dragend', 'drop']) {
    zone.addEventListener(type, () => zone.classList.remove('is-dragover'));
  }
  zone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    onDrop(ev.dataTransfer ? [...ev.dataTransfer.files] : [], ev.dataTransfer);
  });
}

// formState returns the state of a form: whether a request runs (busy),
// the status line, the error box, and task, which runs one request.
export function formState({ form, status, error, root = document }) {
  let busy = false;
  const state = {
    get busy() {
      return busy;
    },
    setStatus(text) {
      status.textContent = text;
    },
    showError(message) {
      error.textContent = message;
      error.hidden = false;
      error.focus();
    },
    clearError() {
      error.hidden = true;
      error.textContent = '';
    },
    setBusy(on) {
      busy = on;
      form.setAttribute('aria-busy', on ? 'true' : 'false');
      for (const b of root.querySelectorAll('button')) if (b.dataset.lock !== undefined) b.disabled = on;
    },
    // task runs work (nothing while another runs) with the buttons locked
    // and the status line saying what it does. A failure empties the
    // status line, calls fail and shows the error's message; after runs
    // last in any case.
    async task(doing, work, { fail = null, after = null } = {}) {
      if (busy) return;
      state.clearError();
      state.setBusy(true);
      state.setStatus(doing);
      try {
        await work();
      } catch (err) {
        state.setStatus('');
        if (fail) fail(err);
        state.showError((err && err.message) || String(err));
      } finally {
        if (after) after();
        state.setBusy(false);
      }
    },
  };
  return state;
}
