// The audit log: browse the hash-chained records (filtered by event and
// workflow) and verify the chain, showing what the check found.

import { get, withQuery } from '../api.js';
import { errorBox, field, h, json, link, replace, table } from '../dom.js';
import { when } from '../format.js';

export const title = 'Audit log';

export async function render(main, ctx) {
  const q = ctx.query;
  const filters = { event: q.get('event') || '', workflow: q.get('workflow') || '', after: q.get('after') || '' };
  const head = h('div', { class: 'page-head' }, h('h1', {}, 'Audit log'));
  let page;
  try {
    page = await get(withQuery('/v1/audit', { ...filters, limit: 100 }));
  } catch (error) {
    replace(main, head, errorBox(error));
    return;
  }
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the audit log' },
    field('Event', h('input', { name: 'event', value: filters.event, placeholder: 'e.g. review.resolved' })),
    field('Workflow', h('input', { name: 'workflow', value: filters.workflow })),
    h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(withQuery('/ui/audit', Object.fromEntries(new FormData(form).entries())));
  });
  const result = h('div', { id: 'verify-result', 'aria-live': 'polite' });
  const verify = h('button', { type: 'button', class: 'primary' }, 'Verify the chain');
  verify.addEventListener('click', async () => {
    verify.disabled = true;
    replace(result, h('p', { class: 'muted' }, 'Verifying every record…'));
    try {
      const v = await get('/v1/audit/verify');
      replace(result, h('div', { class: v.ok ? 'ok-box' : 'error', role: v.ok ? 'status' : 'alert' },
        h('strong', {}, v.ok ? 'The chain is intact. ' : 'The chain is broken. '),
        `${v.records} record(s)`, v.first !== null ? `, seq ${v.first}–${v.last}` : '',
        `, ${v.checkpoints} signed checkpoint(s).`,
        v.head_hash ? h('div', {}, 'Head hash ', h('code', {}, v.head_hash)) : null,
        v.ok ? null : h('div', {}, `${v.problem ?? ''} at seq ${v.first_bad_seq ?? '?'}: ${v.message ?? ''}`)));
    } catch (error) {
      replace(result, errorBox(error));
    } finally {
      verify.disabled = false;
    }
  });
  const more = page.next_cursor
    ? link(withQuery('/ui/audit', { ...filters, after: page.next_cursor }), 'Next page →')
    : null;
  replace(main, head,
    h('section', { class: 'card', 'aria-labelledby': 'verify-title' },
      h('h2', { id: 'verify-title' }, 'Verification'),
      h('p', { class: 'muted' }, 'Recomputes every record’s hash and checks the links and the signed checkpoints.'),
      verify, result),
    form,
    table({ text: 'Audit records' }, [
      { label: 'Seq', class: 'num', cell: (r) => String(r.seq) },
      { label: 'At', cell: (r) => when(r.at) },
      { label: 'Event', cell: (r) => h('code', {}, r.event) },
      { label: 'Actor', cell: (r) => r.actor },
      { label: 'Subject', cell: (r) => r.subject },
      { label: 'Details', cell: (r) => h('details', {}, h('summary', {}, 'details'), json(r.details, `Details of record ${r.seq}`), h('p', {}, 'hash ', h('code', {}, r.hash.slice(0, 16)))) },
    ], page.items),
    more);
}
