// The few HTTP calls the example makes to the Huddle Presence server (docs/http-api.md). The guest
// token comes back as an HttpOnly cookie, which the socket then carries too.

export interface User {
  userId: string;
  displayName: string;
  avatarUrl: string | null;
}

export interface Huddle {
  id: string;
  slug: string;
  title: string;
  role: 'host' | 'participant' | 'observer' | null;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw Object.assign(new Error(data?.error?.message ?? `HTTP ${res.status}`), { status: res.status });
  return data as T;
}

/** The signed-in user, or null. */
export async function me(): Promise<User | null> {
  try {
    return await call<User>('GET', '/api/me');
  } catch (e) {
    if ((e as { status?: number }).status === 401) return null;
    throw e;
  }
}

export async function signIn(displayName: string, avatarUrl: string): Promise<User> {
  await call('POST', '/api/auth/guest', { displayName, ...(avatarUrl ? { avatarUrl } : {}) });
  return (await me())!;
}

export const createHuddle = (title: string) => call<Huddle>('POST', '/api/huddles', { title });

/** Opens a huddle by its link's slug and makes the user a participant (the example's way in). */
export async function enter(slug: string): Promise<Huddle> {
  const huddle = await call<Huddle>('GET', `/api/huddles/${encodeURIComponent(slug)}`);
  if (huddle.role === 'participant' || huddle.role === 'host') return huddle;
  return call<Huddle>('POST', `/api/huddles/${encodeURIComponent(huddle.id)}/join`, { role: 'participant' });
}
