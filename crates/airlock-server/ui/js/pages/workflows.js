// Every workflow the caller may read: owner, risk, data class, version,
// and whether the AI is earning its keep (automation, overrides, accuracy
// from reviews, backlog).

import { get } from '../api.js';
import { h, link, replace, table } from '../dom.js';
import { pct } from '../format.js';

export const title = 'Workflows';

export async function render(main) {
  const list = await get('/v1/workflows');
  const quality = await Promise.all(list.items.map((w) =>
    get(`/v1/workflows/${encodeURIComponent(w.name)}/quality`).catch(() => null)));
  const rows = list.items.map((w, i) => ({ w, q: quality[i] }));
  replace(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Workflows')),
    rows.length === 0 ? h('p', { class: 'empty' }, 'No workflow you may read is loaded.') :
      table({ text: 'Workflows and their quality' }, [
        { label: 'Workflow', cell: ({ w }) => link(`/ui/workflows/${encodeURIComponent(w.name)}`, w.name) },
        { label: 'Owner', cell: ({ w }) => w.owner },
        { label: 'Risk', cell: ({ w }) => h('span', { class: `badge risk-${w.risk}` }, w.risk) },
        { label: 'Data class', cell: ({ w }) => w.data_class },
        { label: 'Version', cell: ({ w }) => h('code', {}, w.version.slice(0, 12)) },
        { label: 'Runs', class: 'num', cell: ({ q }) => (q ? q.totals.runs : '—') },
        { label: 'Automation', class: 'num', cell: ({ q }) => (q ? pct(q.totals.automation_rate) : '—') },
        { label: 'Overrides', class: 'num', cell: ({ q }) => (q ? pct(q.totals.override_rate) : '—') },
        { label: 'Accuracy (reviewed)', class: 'num', cell: ({ q }) => (q ? pct(q.totals.suggestion_accuracy) : '—') },
        { label: 'Backlog', class: 'num', cell: ({ q }) => (q ? `${q.backlog.size}${q.backlog.overdue ? ` (${q.backlog.overdue} overdue)` : ''}` : '—') },
      ], rows));
}
