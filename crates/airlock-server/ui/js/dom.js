// Building the page without innerHTML: every value becomes text, so
// nothing a run or a reviewer wrote can become markup.

/** An element: h('a', {href: '/ui', class: 'x'}, 'text', child, [more]). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces the content of `el` with `children`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A link inside the dashboard (handled without a page load). */
export function link(href, ...children) {
  return h('a', { href, 'data-link': true }, ...children);
}

/** A table: columns [{label, cell: row => node|text, class?}], rows. */
export function table(caption, columns, rows, options = {}) {
  const head = h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)));
  const body = rows.map((row, i) =>
    h('tr', { class: options.rowClass ? options.rowClass(row) : undefined, dataset: { index: String(i) } },
      columns.map((c) => h('td', { class: c.class, 'data-label': c.label }, c.cell(row)))));
  return h('div', { class: 'table-wrap' },
    h('table', { class: options.class },
      h('caption', { class: caption.visible ? '' : 'visually-hidden' }, caption.text),
      h('thead', {}, head),
      h('tbody', {}, body)));
}

/** A labelled form control: field('Workflow', control). */
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('small', { class: 'muted' }, hint) : null);
}

/** A <select> of [value, text] pairs with `selected` chosen. */
export function select(name, options, selected) {
  return h('select', { name },
    options.map(([value, text]) => h('option', { value, selected: value === selected }, text)));
}

/** Pretty JSON in a <pre>. */
export function json(value, label) {
  return h('pre', { class: 'json', tabindex: '0', 'aria-label': label }, JSON.stringify(value, null, 2));
}

/** An error box from an ApiError or any Error. */
export function errorBox(error) {
  return h('div', { class: 'error', role: 'alert' },
    h('strong', {}, error.status === 403 ? 'Not permitted: ' : 'Error: '),
    error.message,
    error.hint ? h('div', { class: 'hint' }, error.hint) : null);
}
