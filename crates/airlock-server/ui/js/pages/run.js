// One run's trace: what was asked, each step with its timing (drawn to
// scale), the decision and the rule that fired, the final output (a
// reviewer's, once the review is decided) and the review's history.

import { get } from '../api.js';
import { errorBox, h, json, link, replace, table } from '../dom.js';
import { confidence, ms, shortId, when } from '../format.js';

export const title = 'Run';

export async function render(main, ctx, { id }) {
  const stored = await get(`/v1/runs/${encodeURIComponent(id)}`);
  const run = stored;
  const review = stored.review;
  const changed = review && review.status === 'resolved'
    && JSON.stringify(stored.final_output) !== JSON.stringify(run.output);
  const slowest = Math.max(1e-6, ...run.steps.map((s) => s.latency_ms));
  const historyBox = h('div', {});

  replace(main,
    h('div', { class: 'page-head' },
      h('p', {}, link('/ui/runs', '← Runs')),
      h('h1', {}, `Run ${shortId(run.run_id)}`),
      h('p', { class: 'muted' }, `${run.workflow} · version ${run.workflow_version.slice(0, 12)} · ${when(run.created_at)}`)),
    h('div', { class: 'grid two' },
      h('section', { class: 'card', 'aria-labelledby': 'decision-title' },
        h('h2', { id: 'decision-title' }, 'Decision'),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Decision'), h('dd', {}, h('span', { class: `badge decision-${run.decision}` }, run.decision)),
          h('dt', {}, 'Rule that fired'), h('dd', {}, run.rule ? h('code', {}, run.rule) : '—'),
          h('dt', {}, 'Confidence'), h('dd', {}, confidence(run.confidence)),
          h('dt', {}, 'Status'), h('dd', {}, run.status, run.error ? ` — ${run.error}` : ''),
          h('dt', {}, 'Latency'), h('dd', {}, ms(run.latency_ms)),
          h('dt', {}, 'Models'), h('dd', {}, run.models.join(', ') || '—'),
          h('dt', {}, 'Decided by'), h('dd', { id: 'decided-by' }, stored.decided_by.join(', ') || '—'))),
      h('section', { class: 'card', 'aria-labelledby': 'final-title' },
        h('h2', { id: 'final-title' }, 'Final output'),
        changed ? h('p', { class: 'badge action-override' }, 'changed by review') : null,
        h('div', { id: 'final-output' }, json(stored.final_output, 'Final output')),
        changed ? [h('h3', {}, 'The model’s output'), json(run.output, 'Model output')] : null)),
    h('section', { class: 'card', 'aria-labelledby': 'trace-title' },
      h('h2', { id: 'trace-title' }, 'Trace'),
      table({ text: 'Steps in order, with their latency' }, [
        { label: 'Step', cell: (s) => s.name },
        { label: 'Kind', cell: (s) => s.kind },
        { label: 'Time', cell: (s) => (s.skipped ? h('span', { class: 'muted' }, 'skipped') : [
          h('meter', { min: '0', max: String(slowest), value: String(s.latency_ms), 'aria-hidden': 'true' }), ` ${ms(s.latency_ms)}`]) },
        { label: 'Model', cell: (s) => s.model ?? '—' },
        { label: 'Output', cell: (s) => (s.error ? h('span', { class: 'error-text' }, s.error) : json(s.output, `Output of ${s.name}`)) },
      ], run.steps)),
    h('section', { class: 'card', 'aria-labelledby': 'input-title' },
      h('h2', { id: 'input-title' }, 'Input (as stored, redacted)'),
      json(stored.input, 'Input')),
    h('section', { class: 'card', 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, 'Review history'),
      historyBox));

  if (!review) {
    replace(historyBox, h('p', { class: 'muted' }, 'This run was not sent to review.'));
    return;
  }
  try {
    const task = await get(`/v1/reviews/${review.review_id}`);
    const events = [
      { at: task.created_at, what: `escalated by ${task.rule ?? 'a rule'}${task.reason ? ` — ${task.reason}` : ''}` },
      ...task.claims.map((c) => ({ at: c.claimed_at, what: `claimed by ${c.reviewer}${c.live ? ' (lease running)' : ''}` })),
      ...task.votes.map((v) => ({ at: v.at, what: `${v.reviewer}: ${v.action}${v.label ? ` as “${v.label}”` : ''}${v.reason ? ` — ${v.reason}` : ''}${v.adjudication ? ' (adjudication)' : ''}` })),
      ...(task.resolution ? [{ at: task.resolution.resolved_at, what: `resolved: ${task.resolution.action} by ${task.resolution.decided_by.join(', ')}` }] : []),
    ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    replace(historyBox,
      h('p', {}, link(`/ui/reviews/${task.review_id}`, `Review ${shortId(task.review_id)}`), ` · ${task.status}`),
      h('ol', { class: 'timeline' }, events.map((e) => h('li', {}, h('time', { datetime: e.at }, when(e.at)), ' ', e.what))));
  } catch (error) {
    replace(historyBox,
      h('p', {}, `Review ${shortId(review.review_id)} · ${review.status}${review.action ? ` · ${review.action}` : ''}${review.reason ? ` — ${review.reason}` : ''}`),
      error.status === 403 ? h('p', { class: 'muted' }, 'Your role may not open the review task itself.') : errorBox(error));
  }
}
