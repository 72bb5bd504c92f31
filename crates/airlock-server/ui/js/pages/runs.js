// The runs explorer: every run the caller may read, newest first,
// filtered by workflow, decision and start time (kept in the query string).

import { get, withQuery } from '../api.js';
import { errorBox, field, h, link, replace, select, table } from '../dom.js';
import { confidence, ms, shortId, when } from '../format.js';

export const title = 'Runs';

const DECISIONS = [['', 'Any decision'], ['auto', 'auto'], ['review', 'review'], ['fallback', 'fallback'], ['block', 'block']];

export async function render(main, ctx) {
  const q = ctx.query;
  const workflows = ctx.session.workflow_actions.read_run || [];
  const filters = {
    workflow: q.get('workflow') || '',
    decision: q.get('decision') || '',
    since: q.get('since') || '',
    cursor: q.get('cursor') || '',
  };
  const sinceInput = h('input', { type: 'datetime-local', name: 'since', value: filters.since ? toLocalInput(filters.since) : '' });
  const runId = h('input', { name: 'run', placeholder: 'run id', spellcheck: 'false' });
  const find = h('form', { class: 'filters', role: 'search', 'aria-label': 'Open a run by id' },
    field('Run id', runId), h('button', { type: 'submit' }, 'Open'));
  find.addEventListener('submit', (event) => {
    event.preventDefault();
    if (runId.value.trim()) ctx.navigate(`/ui/runs/${encodeURIComponent(runId.value.trim())}`);
  });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter runs' },
    field('Workflow', select('workflow', [['', 'All workflows'], ...workflows.map((w) => [w, w])], filters.workflow)),
    field('Decision', select('decision', DECISIONS, filters.decision)),
    field('Since', sinceInput),
    h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form).entries());
    if (data.since) data.since = new Date(data.since).toISOString().replace(/\.\d{3}Z$/, 'Z');
    ctx.navigate(withQuery('/ui/runs', data));
  });

  let content;
  let more = null;
  try {
    const page = await get(withQuery('/v1/runs', { ...filters, limit: 50 }));
    more = page.next_cursor ? link(withQuery('/ui/runs', { ...filters, cursor: page.next_cursor }), 'Next page →') : null;
    content = page.items.length === 0
      ? h('p', { class: 'empty' }, 'No runs match.')
      : table({ text: 'Runs' }, [
        { label: 'Run', cell: (r) => link(`/ui/runs/${r.run_id}`, shortId(r.run_id)) },
        { label: 'Workflow', cell: (r) => r.workflow },
        { label: 'Decision', cell: (r) => h('span', { class: `badge decision-${r.decision}` }, r.decision) },
        { label: 'Rule', cell: (r) => (r.rule ? h('code', {}, r.rule) : '—') },
        { label: 'Confidence', class: 'num', cell: (r) => confidence(r.confidence) },
        { label: 'Status', cell: (r) => r.status },
        { label: 'Latency', class: 'num', cell: (r) => ms(r.latency_ms) },
        { label: 'Created', cell: (r) => when(r.created_at) },
      ], page.items);
  } catch (error) {
    content = errorBox(error);
  }
  replace(main, h('div', { class: 'page-head' }, h('h1', {}, 'Runs')), find, form, content, more);
}

function toLocalInput(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
