// The API, as the dashboard calls it: same-origin requests carrying the
// session cookie, the CSRF token on every POST, errors turned into
// ApiError with the API's code, message, field and hint.

let csrfToken = null;
let onUnauthenticated = () => {};

export function setCsrfToken(token) { csrfToken = token; }
export function whenSignedOut(callback) { onUnauthenticated = callback; }

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail.message || `HTTP ${status}`);
    this.status = status;
    this.code = detail.code;
    this.field = detail.field;
    this.hint = detail.hint;
  }
}

export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.status === 204) return null;
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  if (!response.ok) {
    const detail = (data && data.error) || { message: `HTTP ${response.status}` };
    const error = new ApiError(response.status, detail);
    if (response.status === 401 && !path.startsWith('/v1/sessions')) onUnauthenticated(error);
    throw error;
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);

/** `path?k=v&...` without the empty values. */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') query.set(k, v);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
