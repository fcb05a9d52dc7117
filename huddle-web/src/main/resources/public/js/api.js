// Small fetch helpers for the pages. The guest token lives in an HttpOnly cookie, so same-origin
// requests are authenticated without the page ever seeing the token.
export async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = new Error(data?.error?.message ?? `HTTP ${res.status}`);
    err.status = res.status;
    err.code = data?.error?.code;
    throw err;
  }
  return data;
}

/** The signed-in user, or null. */
export async function me() {
  try {
    return await api('GET', '/api/me');
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
}
