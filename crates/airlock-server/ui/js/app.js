// The dashboard's frame: the session, the navigation each role sees, and
// the addresses under /ui, each rendered by one page module.

import { ApiError, get, post, setCsrfToken, whenSignedOut } from './api.js';
import { h, link, replace } from './dom.js';
import * as signIn from './pages/sign_in.js';
import * as reviews from './pages/reviews.js';
import * as review from './pages/review.js';
import * as runs from './pages/runs.js';
import * as run from './pages/run.js';
import * as workflows from './pages/workflows.js';
import * as workflow from './pages/workflow.js';
import * as audit from './pages/audit.js';

const routes = [
  [/^\/ui\/sign-in$/, signIn, []],
  [/^\/ui\/reviews$/, reviews, []],
  [/^\/ui\/reviews\/([^/]+)$/, review, ['id']],
  [/^\/ui\/runs$/, runs, []],
  [/^\/ui\/runs\/([^/]+)$/, run, ['id']],
  [/^\/ui\/workflows$/, workflows, []],
  [/^\/ui\/workflows\/([^/]+)$/, workflow, ['name']],
  [/^\/ui\/audit$/, audit, []],
];

const main = document.getElementById('main');
const top = document.getElementById('top');
let session = null;
let cleanup = null;

/** What the caller may do: `can('read_audit')`, `can('resolve_review', 'refunds')`. */
function can(action, workflowName) {
  if (!session) return false;
  if (session.service_actions.includes(action)) return true;
  const names = session.workflow_actions[action];
  if (!names) return false;
  return workflowName === undefined ? names.length > 0 : names.includes(workflowName);
}

function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.classList.add('shown');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('shown'), 4000);
}

function navigate(path, replaceEntry = false) {
  if (replaceEntry) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

function homeFor() {
  if (session.role === 'auditor' && can('read_audit')) return '/ui/audit';
  if (can('resolve_review')) return '/ui/reviews';
  if (can('read_workflow')) return '/ui/workflows';
  if (can('read_audit')) return '/ui/audit';
  return '/ui/runs';
}

function drawTop() {
  if (!session) {
    replace(top, h('span', { class: 'brand' }, 'Airlock'));
    return;
  }
  const here = location.pathname;
  const item = (href, text, shown) => shown
    ? h('li', {}, h('a', { href, 'data-link': true, 'aria-current': here.startsWith(href) ? 'page' : undefined }, text))
    : null;
  replace(top,
    h('span', { class: 'brand' }, link('/ui', 'Airlock')),
    h('nav', { 'aria-label': 'Main' },
      h('ul', {},
        item('/ui/reviews', 'Review queue', can('read_review')),
        item('/ui/runs', 'Runs', can('read_run')),
        item('/ui/workflows', 'Workflows', can('read_workflow')),
        item('/ui/audit', 'Audit', can('read_audit')))),
    h('div', { class: 'who' },
      h('span', {}, `${session.name} · ${session.role}`),
      h('button', { type: 'button', class: 'link-button', onclick: signOut }, 'Sign out')));
}

async function signOut() {
  try { await post('/v1/session/sign-out'); } catch { /* the cookie is cleared either way */ }
  session = null;
  setCsrfToken(null);
  navigate('/ui/sign-in');
}

async function loadSession() {
  try {
    session = await get('/v1/session');
    setCsrfToken(session.csrf_token);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    session = null;
  }
}

async function render() {
  if (cleanup) { try { cleanup(); } catch { /* a page's cleanup never blocks the next */ } cleanup = null; }
  let path = location.pathname.replace(/\/+$/, '') || '/ui';
  if (!session && path !== '/ui/sign-in') {
    const back = path === '/ui' ? '' : `?next=${encodeURIComponent(location.pathname + location.search)}`;
    history.replaceState(null, '', `/ui/sign-in${back}`);
    path = '/ui/sign-in';
  }
  if (session && (path === '/ui' || path === '/ui/sign-in')) {
    path = homeFor();
    history.replaceState(null, '', path);
  }
  drawTop();
  const match = routes.map(([re, page, names]) => [re.exec(path), page, names]).find(([m]) => m);
  if (!match) {
    replace(main, h('h1', {}, 'Not found'), h('p', {}, 'No dashboard page has this address. '), link('/ui', 'Go to the start page'));
    return;
  }
  const [m, page, names] = match;
  const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
  const query = new URLSearchParams(location.search);
  const ctx = {
    session, can, navigate, toast, query,
    signedIn: async () => {
      await loadSession();
      if (!session) {
        // Signed in, but the browser did not keep the Secure cookie.
        throw new Error('Signed in, but this browser refused the session cookie: open the dashboard over HTTPS or at http://localhost.');
      }
      navigate(query.get('next') || homeFor(), true);
    },
  };
  replace(main, h('p', { class: 'muted' }, 'Loading…'));
  try {
    cleanup = (await page.render(main, ctx, params)) || null;
  } catch (error) {
    replace(main, h('h1', {}, page.title || 'Error'), h('div', { class: 'error', role: 'alert' }, error.message, error.hint ? h('div', { class: 'hint' }, error.hint) : null));
  }
  document.title = `${main.querySelector('h1')?.textContent || 'Dashboard'} · Airlock`;
  main.focus({ preventScroll: true });
}

document.addEventListener('click', (event) => {
  const a = event.target.closest('a[data-link]');
  if (!a || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', render);
whenSignedOut(() => {
  if (!session) return;
  session = null;
  setCsrfToken(null);
  toast('Your session ended; sign in again.');
  navigate(`/ui/sign-in?next=${encodeURIComponent(location.pathname)}`, true);
});

loadSession().then(render, (error) => replace(main, h('div', { class: 'error', role: 'alert' }, `The dashboard could not start: ${error.message}`)));
