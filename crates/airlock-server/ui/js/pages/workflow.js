// One workflow: who owns it and what it may touch, its quality figures
// from reviews, its backlog, and charts of runs, decision mix and latency
// over a chosen window.

import { get, withQuery } from '../api.js';
import { errorBox, field, h, link, replace, select, table } from '../dom.js';
import { age, pct } from '../format.js';
import { timelineCharts } from '../charts.js';

export const title = 'Workflow';

const WINDOWS = { '1h': ['1 hour', '2m'], '24h': ['24 hours', '1h'], '7d': ['7 days', '6h'], '30d': ['30 days', '1day'] };
const WINDOW_SECONDS = { '1h': 3600, '24h': 86400, '7d': 604800, '30d': 2592000 };

export async function render(main, ctx, { name }) {
  const window_ = WINDOWS[ctx.query.get('window')] ? ctx.query.get('window') : '24h';
  const encoded = encodeURIComponent(name);
  const [wf, quality] = await Promise.all([
    get(`/v1/workflows/${encoded}`),
    get(`/v1/workflows/${encoded}/quality`),
  ]);
  const s = wf;
  const t = quality.totals;
  const figure = (label, value, id) => h('div', { class: 'figure' }, h('div', { class: 'value', id }, value), h('div', { class: 'label' }, label));
  const picker = select('window', Object.entries(WINDOWS).map(([k, [text]]) => [k, text]), window_);
  picker.addEventListener('change', () => ctx.navigate(withQuery(`/ui/workflows/${encoded}`, { window: picker.value })));
  const chartsBox = h('div', { class: 'charts' });

  replace(main,
    h('div', { class: 'page-head' },
      h('p', {}, link('/ui/workflows', '← Workflows')),
      h('h1', {}, s.name),
      h('p', { class: 'muted' }, s.description)),
    h('dl', { class: 'facts inline' },
      h('dt', {}, 'Owner'), h('dd', {}, s.owner),
      h('dt', {}, 'Risk'), h('dd', {}, h('span', { class: `badge risk-${s.risk}` }, s.risk)),
      h('dt', {}, 'Data class'), h('dd', {}, s.data_class),
      h('dt', {}, 'Version'), h('dd', {}, h('code', {}, s.version.slice(0, 12))),
      h('dt', {}, 'Runbook'), h('dd', {}, s.runbook ? h('a', { href: s.runbook, rel: 'noopener noreferrer' }, s.runbook) : '—')),
    h('section', { class: 'card', 'aria-labelledby': 'quality-title' },
      h('h2', { id: 'quality-title' }, 'Is it earning its keep?'),
      h('div', { class: 'figures' },
        figure('runs', String(t.runs), 'q-runs'),
        figure('automation rate', pct(t.automation_rate), 'q-automation'),
        figure('review rate', pct(t.review_rate), 'q-review'),
        figure('override rate', pct(t.override_rate), 'q-override'),
        figure('accuracy from reviews', pct(t.suggestion_accuracy), 'q-accuracy'),
        figure('reviews resolved', String(t.reviews.resolved), 'q-resolved'),
        figure('backlog', String(quality.backlog.size), 'q-backlog'),
        figure('overdue', String(quality.backlog.overdue), 'q-overdue'),
        figure('oldest waiting', quality.backlog.size ? age(quality.backlog.oldest_age_seconds) : '—', 'q-oldest')),
      h('p', {}, link(withQuery('/ui/reviews', { workflow: s.name }), 'Open its review queue'), ' · ',
        link(withQuery('/ui/runs', { workflow: s.name }), 'Browse its runs'))),
    h('section', { class: 'card', 'aria-labelledby': 'charts-title' },
      h('div', { class: 'section-head' }, h('h2', { id: 'charts-title' }, 'Over time'), field('Window', picker)),
      chartsBox),
    versionsTable(quality),
    h('section', { class: 'card', 'aria-labelledby': 'rules-title' },
      h('h2', { id: 'rules-title' }, 'Decision rules, in order'),
      table({ text: 'Decision rules' }, [
        { label: 'Rule', cell: (r) => h('code', {}, r.name) },
        { label: 'When', cell: (r) => (r.when ? h('code', {}, r.when) : 'always') },
        { label: 'Decision', cell: (r) => h('span', { class: `badge decision-${r.decision}` }, r.decision) },
        { label: 'Reason', cell: (r) => r.reason ?? '—' },
      ], wf.decisions)));

  const since = new Date(Date.now() - WINDOW_SECONDS[window_] * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  try {
    const timeline = await get(withQuery(`/v1/workflows/${encoded}/timeline`, { since, bucket: WINDOWS[window_][1] }));
    return timelineCharts(chartsBox, timeline);
  } catch (error) {
    replace(chartsBox, errorBox(error));
    return undefined;
  }
}

function versionsTable(quality) {
  return h('section', { class: 'card', 'aria-labelledby': 'versions-title' },
    h('h2', { id: 'versions-title' }, 'By version'),
    table({ text: 'Quality by workflow version' }, [
      { label: 'Version', cell: (v) => [h('code', {}, v.workflow_version.slice(0, 12)), v.workflow_version === quality.current_version ? ' (current)' : ''] },
      { label: 'Runs', class: 'num', cell: (v) => String(v.runs) },
      { label: 'Automation', class: 'num', cell: (v) => pct(v.automation_rate) },
      { label: 'Overrides', class: 'num', cell: (v) => pct(v.override_rate) },
      { label: 'Accuracy', class: 'num', cell: (v) => pct(v.suggestion_accuracy) },
    ], quality.versions));
}
