// The review queue: tasks with their workflow, the model's suggestion and
// confidence, why they were escalated and their SLA age (overdue marked),
// filtered by the query string so a filtered queue can be bookmarked.
// Keys: j/k move, Enter opens.

import { get, withQuery } from '../api.js';
import { errorBox, field, h, link, replace, select, table } from '../dom.js';
import { age, confidence, shortId, since } from '../format.js';

export const title = 'Review queue';

const STATUSES = [['', 'Unresolved'], ['open', 'Open'], ['claimed', 'Claimed'], ['escalated', 'Escalated'], ['resolved', 'Resolved']];

export async function render(main, ctx) {
  const q = ctx.query;
  const workflows = ctx.session.workflow_actions.read_review || [];
  const filters = {
    workflow: q.get('workflow') || '',
    status: q.get('status') || '',
    overdue: q.get('overdue') || '',
    label: q.get('label') || '',
    cursor: q.get('cursor') || '',
  };
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the queue' },
    field('Workflow', select('workflow', [['', 'All workflows'], ...workflows.map((w) => [w, w])], filters.workflow)),
    field('Status', select('status', STATUSES, filters.status)),
    field('SLA', select('overdue', [['', 'Any'], ['true', 'Overdue only'], ['false', 'Within SLA']], filters.overdue)),
    field('Suggested label', h('input', { name: 'label', value: filters.label, placeholder: 'any' })),
    h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    ctx.navigate(withQuery('/ui/reviews', Object.fromEntries(data.entries())));
  });

  let items = [];
  let next = null;
  let problem = null;
  try {
    // Without a status filter the queue shows what still needs a person.
    const status = filters.status;
    const page = await get(withQuery('/v1/reviews', {
      workflow: filters.workflow, status, overdue: filters.overdue, label: filters.label,
      cursor: filters.cursor, limit: 50,
    }));
    items = status ? page.items : page.items.filter((t) => t.status !== 'resolved');
    next = page.next_cursor;
  } catch (error) {
    problem = error;
  }

  const columns = [
    { label: 'Task', cell: (t) => link(`/ui/reviews/${t.review_id}`, shortId(t.review_id)) },
    { label: 'Workflow', cell: (t) => t.workflow },
    { label: 'Suggested', cell: (t) => t.suggestion.label ?? (t.suggestion.output ? 'output' : '—') },
    { label: 'Confidence', class: 'num', cell: (t) => confidence(t.suggestion.confidence) },
    { label: 'Why escalated', cell: (t) => [t.rule ? h('code', {}, t.rule) : null, t.reason ? ` ${t.reason}` : ''] },
    { label: 'Age', class: 'num', cell: (t) => since(t.created_at) },
    { label: 'SLA', cell: slaCell },
    { label: 'Status', cell: (t) => h('span', { class: `badge status-${t.status}` }, t.status) },
    { label: 'Claimed by', cell: (t) => t.claims.filter((c) => c.live).map((c) => c.reviewer).join(', ') || '—' },
  ];
  const list = problem
    ? errorBox(problem)
    : items.length === 0
      ? h('p', { class: 'empty' }, 'Nothing waits for review here.')
      : table({ text: 'Review tasks' }, columns, items, {
        class: 'queue',
        rowClass: (t) => (t.overdue ? 'overdue' : undefined),
      });
  const more = next
    ? link(withQuery('/ui/reviews', { ...filters, cursor: next }), 'Next page →')
    : null;
  replace(main,
    h('div', { class: 'page-head' },
      h('h1', {}, 'Review queue'),
      h('p', { class: 'muted' }, `${items.length} task(s) on this page · keys: j/k to move, Enter to open`)),
    form, list, more);

  // Keyboard: j/k select a row, Enter opens it.
  let selected = -1;
  const rows = () => [...main.querySelectorAll('table.queue tbody tr')];
  const choose = (i) => {
    const all = rows();
    if (all.length === 0) return;
    selected = Math.max(0, Math.min(all.length - 1, i));
    all.forEach((r, n) => r.classList.toggle('selected', n === selected));
    all[selected].querySelector('a').focus();
  };
  const onKey = (event) => {
    if (event.target.closest('input, select, textarea') || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === 'j') { event.preventDefault(); choose(selected + 1); }
    if (event.key === 'k') { event.preventDefault(); choose(selected - 1); }
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}

function slaCell(task) {
  const due = (Date.parse(task.due_at) - Date.now()) / 1000;
  if (task.status === 'resolved') return '—';
  return task.overdue
    ? h('span', { class: 'badge overdue' }, `overdue ${age(-due)}`)
    : h('span', {}, `due in ${age(due)}`);
}
