// The upload page (/): the shared upload flow on the whole document. Before
// printing, every trace of the result is opened, so that the printout
// carries the calculations the screen shows on demand; they close again
// after.
import { setupUpload } from './uploader.js';

setupUpload(document, { headingLevel: 3 });

let openedForPrint = [];
window.addEventListener('beforeprint', () => {
  openedForPrint = [...document.querySelectorAll('#report details:not([open])')];
  for (const d of openedForPrint) d.open = true;
});
window.addEventListener('afterprint', () => {
  for (const d of openedForPrint) d.open = false;
  openedForPrint = [];
});
