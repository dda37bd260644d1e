// The reading, errata and interpretation choices of the rule pack as form
// controls (from GET /api/info: reading_definitions, errata,
// interpretations), and the API parameters they stand for: reading=,
// erratum=E-N=printed|coherent (only for an erratum set apart from the
// reading), interpretation=I-N=choice (only for a choice other than the
// pack's default). Nothing of the pack is written here.

import { h } from './report.js';

const FORM_LABELS = { printed: 'come stampata', coherent: 'forma coerente' };

// setupChoices fills the reading select and the container (a <div> inside
// a <details>) with one select per erratum and per interpretation that has
// more than one choice. It returns values(): the current choices as
// { reading, errata: ['E-2=coherent'], interpretations: ['I-8=triennio'] }.
export function setupChoices({ reading, container }, info) {
  const defs = Array.isArray(info.reading_definitions) ? info.reading_definitions : [];
  if (reading && defs.length) {
    reading.replaceChildren(...defs.map((d) => h('option', { value: d.id, selected: d.id === info.default_reading },
      capital(d.label || d.id))));
    reading.value = info.default_reading || defs[0].id;
    const help = reading.getAttribute('aria-describedby') && document.getElementById(reading.getAttribute('aria-describedby'));
    const describe = () => {
      const d = defs.find((x) => x.id === reading.value);
      if (help && d) help.textContent = d.description || '';
    };
    reading.addEventListener('change', describe);
    describe();
  }
  const errataSelects = [];
  const interpSelects = [];
  if (container) {
    container.replaceChildren();
    const errata = Array.isArray(info.errata) ? info.errata : [];
    if (errata.length) {
      const fs = h('fieldset', { class: 'ch-group', id: 'errata-controls' },
        h('legend', null, 'Refusi del decreto (errata)'),
        h('p', { class: 'small mb-2' }, 'Per ogni refuso vale la forma della lettura scelta; qui si può fissarne una diversa.'));
      for (const e of errata) {
        const id = `erratum-${e.id}`;
        const sel = h('select', { id, name: 'erratum', dataset: { erratum: e.id }, 'aria-describedby': `${id}-help` },
          h('option', { value: '' }, 'Come nella lettura scelta'),
          h('option', { value: 'printed' }, `Come stampata: ${e.printed}`),
          h('option', { value: 'coherent' }, `Forma coerente: ${e.coherent}`));
        errataSelects.push(sel);
        fs.append(h('div', { class: 'ch-field' },
          h('label', { for: id }, `${e.id} (funzioni ${(e.functions || []).join(', ')})`), sel,
          h('p', { id: `${id}-help`, class: 'small mb-0' }, e.description || '')));
      }
      container.append(fs);
    }
    const interps = (Array.isArray(info.interpretations) ? info.interpretations : [])
      .filter((i) => i.choices && Object.keys(i.choices).length > 1);
    if (interps.length) {
      const fs = h('fieldset', { class: 'ch-group', id: 'interpretation-controls' },
        h('legend', null, 'Interpretazioni'),
        h('p', { class: 'small mb-2' }, 'Punti che il testo lascia aperti: la scelta predefinita è quella motivata nelle regole.'));
      for (const it of interps) {
        const id = `interpretazione-${it.id}`;
        const keys = Object.keys(it.choices).sort((a, b) => (a === it.default ? -1 : b === it.default ? 1 : a.localeCompare(b)));
        const sel = h('select', { id, name: 'interpretation', dataset: { interpretation: it.id, default: it.default }, 'aria-describedby': `${id}-help` },
          keys.map((k) => h('option', { value: k, selected: k === it.default }, `${k}${k === it.default ? ' (predefinita)' : ''}`)));
        const help = h('p', { id: `${id}-help`, class: 'small mb-0' });
        const describe = () => {
          help.textContent = `${it.choices[sel.value] || ''}${it.citation ? ' Fonte: ' + it.citation + '.' : ''}`;
        };
        sel.addEventListener('change', describe);
        describe();
        interpSelects.push(sel);
        fs.append(h('div', { class: 'ch-field' }, h('label', { for: id }, `${it.id}: ${it.topic}`), sel, help));
      }
      container.append(fs);
    }
  }
  return {
    values() {
      return {
        reading: reading ? reading.value : '',
        errata: errataSelects.filter((s) => s.value).map((s) => `${s.dataset.erratum}=${s.value}`),
        interpretations: interpSelects.filter((s) => s.value && s.value !== s.dataset.default)
          .map((s) => `${s.dataset.interpretation}=${s.value}`),
      };
    },
    // describe says the current choices in one Italian line.
    describe() {
      const v = this.values();
      const parts = [];
      const d = defs.find((x) => x.id === v.reading);
      parts.push(d ? d.label : v.reading);
      for (const e of v.errata) {
        const [id, form] = e.split('=');
        parts.push(`${id} ${FORM_LABELS[form] || form}`);
      }
      parts.push(...v.interpretations);
      return parts.join('; ');
    },
  };
}

function capital(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
