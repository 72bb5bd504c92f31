// Signing in: an API key exchanged for the session cookie.

import { post } from '../api.js';
import { errorBox, field, h, replace } from '../dom.js';

export const title = 'Sign in';

export async function render(main, ctx) {
  const key = h('input', { type: 'password', name: 'key', autocomplete: 'off', required: true, spellcheck: 'false' });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card narrow', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in to Airlock'),
    h('p', { class: 'muted' }, 'Use your API key. It is checked once and never stored in the browser: the dashboard keeps a session cookie instead.'),
    field('API key', key, 'alk_… as issued by `airlock keys create`'),
    status,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(status);
    try {
      await post('/v1/sessions', { key: key.value.trim() });
      key.value = '';
      await ctx.signedIn();
    } catch (error) {
      replace(status, errorBox(error));
      key.focus();
    }
  });
  replace(main, form);
  key.focus();
}
