// The upload page (/): the shared upload flow on the whole document.
import { setupUpload } from './uploader.js';

setupUpload(document, { headingLevel: 3 });
