// One review task: the input (redacted unless the role may see it raw),
// each step's output, the model's suggestion and alternatives, similar
// past decisions, and the decision form (approve, override with a label
// picker or an output editor, reject; a reason where the API needs one).
// Opening the task claims it; the lease is shown and renewed while the
// page is open, and released when the reviewer leaves without deciding.
// Keys: a approve, o override, r reject, Ctrl+Enter submit, Esc back.

import { ApiError, get, post, withQuery } from '../api.js';
import { errorBox, field, h, json, link, replace, table } from '../dom.js';
import { confidence, ms, shortId, since, when } from '../format.js';

export const title = 'Review task';

export async function render(main, ctx, { id }) {
  const task = await get(`/v1/reviews/${encodeURIComponent(id)}`);
  const wf = await get(`/v1/workflows/${encodeURIComponent(task.workflow)}`).catch(() => null);
  const labelField = wf?.review?.label_field || null;
  const mayResolve = ctx.can('resolve_review', task.workflow) && task.status !== 'resolved';
  const mayRaw = ctx.can('read_raw', task.workflow);
  const me = ctx.session.name;

  const leaseBox = h('p', { class: 'lease', 'aria-live': 'polite' });
  const inputBox = h('div', {}, json(task.input, 'Input'));
  const similarBox = h('div', {}, h('p', { class: 'muted' }, 'Looking for similar decisions…'));
  const decisionBox = h('section', { 'aria-labelledby': 'decide-title', class: 'card' });

  replace(main,
    h('div', { class: 'page-head' },
      h('p', {}, link('/ui/reviews', '← Review queue')),
      h('h1', {}, `Review ${shortId(task.review_id)}`),
      h('p', { class: 'muted' },
        `${task.workflow} · version ${task.workflow_version.slice(0, 12)} · opened ${since(task.created_at)} ago · `,
        task.overdue ? h('span', { class: 'badge overdue' }, 'overdue') : `due ${when(task.due_at)}`,
        ' · ', link(`/ui/runs/${task.run_id}`, 'run trace')),
      leaseBox),
    h('div', { class: 'grid two' },
      h('section', { 'aria-labelledby': 'why-title', class: 'card' },
        h('h2', { id: 'why-title' }, 'Why it is here'),
        h('p', {}, task.rule ? h('code', {}, task.rule) : 'no rule', task.reason ? ` — ${task.reason}` : ''),
        h('h2', {}, 'Suggestion'),
        suggestion(task.suggestion),
        h('h2', { id: 'input-title' }, mayRaw ? 'Input (redacted)' : 'Input (redacted for your role)'),
        mayRaw ? h('button', { type: 'button', onclick: () => showRaw(task.run_id, inputBox) }, 'Show the raw input') : null,
        inputBox),
      decisionBox),
    h('section', { 'aria-labelledby': 'steps-title', class: 'card' },
      h('h2', { id: 'steps-title' }, 'Steps'),
      stepsTable(task.steps)),
    h('section', { 'aria-labelledby': 'similar-title', class: 'card' },
      h('h2', { id: 'similar-title' }, 'Similar past decisions'),
      similarBox));

  similar(task, similarBox);

  if (task.status === 'resolved') {
    replace(decisionBox, h('h2', { id: 'decide-title' }, 'Decision'), resolution(task.resolution));
    return undefined;
  }
  if (!mayResolve) {
    replace(decisionBox, h('h2', { id: 'decide-title' }, 'Decision'), h('p', {}, 'Your role may read this task but not decide it.'));
    return undefined;
  }

  // The lease: claim on open, renew at a third of its length, release on leave.
  let leaseTimer = null;
  let decided = false;
  const claim = async () => {
    try {
      const claimed = await post(`/v1/reviews/${task.review_id}/claim`, { reviewer: me });
      const mine = claimed.claims.find((c) => c.reviewer === me && c.live);
      if (mine) {
        const length = Date.parse(mine.expires_at) - Date.parse(mine.claimed_at);
        replace(leaseBox, h('span', { class: 'badge claimed' }, 'claimed by you'),
          ` until ${new Date(mine.expires_at).toLocaleTimeString()} — renewed while this page is open`);
        clearTimeout(leaseTimer);
        leaseTimer = setTimeout(claim, Math.max(1000, length / 3));
      }
    } catch (error) {
      replace(leaseBox, h('span', { class: 'badge warn' }, 'not claimed'), ` ${error.message}`);
    }
  };
  await claim();

  const form = decisionForm(task, labelField, async (body, status) => {
    replace(status);
    try {
      const resolved = await post(`/v1/reviews/${task.review_id}/resolve`, { reviewer: me, ...body });
      decided = true;
      clearTimeout(leaseTimer);
      ctx.toast(`Review ${shortId(task.review_id)}: ${body.action} recorded`);
      replace(leaseBox, h('span', { class: 'badge status-resolved' }, resolved.status));
      replace(decisionBox, h('h2', { id: 'decide-title' }, 'Decision'),
        resolved.resolution ? resolution(resolved.resolution)
          : h('p', {}, `Your vote is recorded; ${resolved.required_reviews - resolved.votes.length} more needed.`),
        h('p', {}, link(`/ui/runs/${task.run_id}`, 'See the run'), ' · ', link('/ui/reviews', 'Back to the queue')));
    } catch (error) {
      replace(status, errorBox(error));
      if (error instanceof ApiError && error.field) {
        const name = ['reason', 'label', 'action'].includes(error.field) ? error.field : 'output';
        const control = form.querySelector(`[name="${name}"]`);
        control?.setAttribute('aria-invalid', 'true');
        control?.focus();
      }
    }
  });
  replace(decisionBox, h('h2', { id: 'decide-title' }, 'Decision'), form);

  const onKey = (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (event.target.closest('input, select, textarea') || event.ctrlKey || event.metaKey || event.altKey) return;
    const action = { a: 'approve', o: 'override', r: 'reject' }[event.key];
    if (action) {
      event.preventDefault();
      const radio = form.querySelector(`input[name="action"][value="${action}"]`);
      radio.checked = true;
      radio.dispatchEvent(new Event('change', { bubbles: true }));
      radio.focus();
    }
    if (event.key === 'Escape') ctx.navigate('/ui/reviews');
  };
  document.addEventListener('keydown', onKey);
  return () => {
    document.removeEventListener('keydown', onKey);
    clearTimeout(leaseTimer);
    if (!decided) post(`/v1/reviews/${task.review_id}/release`, { reviewer: me }).catch(() => {});
  };
}

function suggestion(s) {
  const rows = [];
  if (s.label !== null) rows.push(h('p', {}, 'Label ', h('strong', { class: 'label' }, s.label), ` at confidence ${confidence(s.confidence)}`, s.step ? ` (step ${s.step})` : ''));
  const alternatives = Array.isArray(s.alternatives) ? s.alternatives : [];
  if (alternatives.length) {
    rows.push(h('ol', { class: 'alternatives', 'aria-label': 'Alternatives' },
      alternatives.map((a) => h('li', {},
        h('meter', { min: '0', max: '1', value: String(a.confidence ?? 0), 'aria-hidden': 'true' }),
        ` ${a.label} — ${confidence(a.confidence)}`))));
  }
  if (s.output !== null) rows.push(h('h3', {}, 'Suggested output'), json(s.output, 'Suggested output'));
  if (!rows.length) rows.push(h('p', { class: 'muted' }, 'The model made no suggestion.'));
  return rows;
}

function stepsTable(steps) {
  return table({ text: 'Steps of the run' }, [
    { label: 'Step', cell: (s) => s.name },
    { label: 'Kind', cell: (s) => s.kind },
    { label: 'Latency', class: 'num', cell: (s) => (s.skipped ? 'skipped' : ms(s.latency_ms)) },
    { label: 'Output', cell: (s) => (s.error ? h('span', { class: 'error-text' }, s.error) : json(s.output, `Output of ${s.name}`)) },
  ], steps);
}

function resolution(r) {
  if (!r) return h('p', { class: 'muted' }, 'Not decided yet.');
  return h('dl', { class: 'facts' },
    h('dt', {}, 'Action'), h('dd', {}, h('span', { class: `badge action-${r.action}` }, r.action)),
    r.label ? [h('dt', {}, 'Label'), h('dd', {}, r.label)] : null,
    r.reason ? [h('dt', {}, 'Reason'), h('dd', {}, r.reason)] : null,
    h('dt', {}, 'Decided by'), h('dd', {}, r.decided_by.join(', ')),
    h('dt', {}, 'At'), h('dd', {}, when(r.resolved_at)),
    r.output ? [h('dt', {}, 'Output'), h('dd', {}, json(r.output, 'Final output'))] : null);
}

async function showRaw(runId, box) {
  try {
    const raw = await get(`/v1/runs/${runId}?view=raw`);
    replace(box, h('p', { class: 'badge warn' }, 'raw input — handle with care'), json(raw.input, 'Raw input'));
  } catch (error) {
    replace(box, errorBox(error));
  }
}

async function similar(task, box) {
  if (task.suggestion.label === null) {
    replace(box, h('p', { class: 'muted' }, 'Similar decisions are matched on the suggested label; this task has none.'));
    return;
  }
  try {
    const page = await get(withQuery('/v1/reviews', { workflow: task.workflow, status: 'resolved', label: task.suggestion.label, limit: 10 }));
    const past = page.items.filter((t) => t.review_id !== task.review_id);
    if (!past.length) {
      replace(box, h('p', { class: 'muted' }, `No resolved task yet where the model suggested “${task.suggestion.label}”.`));
      return;
    }
    const counts = {};
    for (const t of past) counts[t.resolution.action] = (counts[t.resolution.action] || 0) + 1;
    replace(box,
      h('p', {}, `When the model suggested “${task.suggestion.label}”, reviewers: `,
        Object.entries(counts).map(([a, n]) => `${a} ${n}×`).join(', ')),
      table({ text: 'Past decisions on the same suggested label' }, [
        { label: 'Task', cell: (t) => link(`/ui/reviews/${t.review_id}`, shortId(t.review_id)) },
        { label: 'Decision', cell: (t) => h('span', { class: `badge action-${t.resolution.action}` }, t.resolution.action) },
        { label: 'Label', cell: (t) => t.resolution.label ?? '—' },
        { label: 'Reason', cell: (t) => t.resolution.reason ?? '—' },
        { label: 'By', cell: (t) => t.resolution.decided_by.join(', ') },
      ], past));
  } catch (error) {
    replace(box, errorBox(error));
  }
}

function decisionForm(task, labelField, submit) {
  const base = task.suggestion.output ?? {};
  const labels = [...new Set([task.suggestion.label, ...(Array.isArray(task.suggestion.alternatives) ? task.suggestion.alternatives.map((a) => a.label) : [])].filter(Boolean))];
  const radio = (value, text, key) => h('label', { class: 'choice' },
    h('input', { type: 'radio', name: 'action', value, required: true }), ` ${text} `, h('kbd', {}, key));
  const reason = h('textarea', { name: 'reason', rows: '2' });
  const output = h('textarea', { name: 'output', rows: '8', class: 'code', spellcheck: 'false' }, JSON.stringify(base, null, 2));
  const labelInput = h('input', { name: 'label', list: 'label-choices', autocomplete: 'off' });
  const labelList = h('datalist', { id: 'label-choices' }, labels.map((l) => h('option', { value: l })));
  const overridePanel = h('fieldset', { class: 'override', hidden: true },
    h('legend', {}, 'The correct answer'),
    labelField ? [field(`Correct label (sets “${labelField}” in the output)`, labelInput, labels.length ? `suggested: ${labels.join(', ')}` : undefined), labelList] : null,
    field('Output (JSON, checked against the output contract)', output));
  if (labelField) {
    labelInput.addEventListener('input', () => {
      try {
        const value = JSON.parse(output.value || '{}');
        value[labelField] = labelInput.value;
        output.value = JSON.stringify(value, null, 2);
      } catch { /* the editor holds invalid JSON; the reviewer is fixing it */ }
    });
  }
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'decision', novalidate: true },
    h('fieldset', {}, h('legend', {}, 'Decide'),
      radio('approve', 'Approve the suggestion', 'a'),
      radio('override', 'Override', 'o'),
      radio('reject', 'Reject', 'r')),
    overridePanel,
    field('Reason (required to override or reject)', reason),
    status,
    h('button', { type: 'submit', class: 'primary' }, 'Submit decision'), ' ', h('small', { class: 'muted' }, 'Ctrl+Enter'));
  form.addEventListener('input', (event) => event.target.removeAttribute('aria-invalid'));
  form.addEventListener('change', () => {
    overridePanel.hidden = form.elements.action.value !== 'override';
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const action = form.elements.action.value;
    if (!action) {
      replace(status, errorBox(new Error('Choose approve, override or reject.')));
      return;
    }
    const body = { action };
    const why = reason.value.trim();
    if (why) body.reason = why;
    if ((action === 'override' || action === 'reject') && !why) {
      reason.setAttribute('aria-invalid', 'true');
      replace(status, errorBox(new Error(`A reason is required to ${action}.`)));
      reason.focus();
      return;
    }
    if (action === 'override') {
      try {
        body.output = JSON.parse(output.value);
      } catch (error) {
        output.setAttribute('aria-invalid', 'true');
        replace(status, errorBox(new Error(`The output is not valid JSON: ${error.message}`)));
        output.focus();
        return;
      }
      if (labelField && labelInput.value.trim()) body.label = labelInput.value.trim();
    }
    submit(body, status);
  });
  return form;
}
