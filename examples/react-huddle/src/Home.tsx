import { useState, type FormEvent } from 'react';
import { createHuddle, signIn, type User } from './api';

export function Home({ user, onSignedIn }: { user: User | null; onSignedIn: (u: User) => void }) {
  const [error, setError] = useState('');
  const submit = (run: (form: FormData) => Promise<void>) => async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError('');
    try {
      await run(new FormData(e.currentTarget));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <main>
      <h1>React huddle</h1>
      {!user ? (
        <form id="sign-in" onSubmit={submit(async (f) => onSignedIn(await signIn(String(f.get('name')), String(f.get('avatar')))))}>
          <label htmlFor="display-name">Display name</label>
          <input id="display-name" name="name" required maxLength={64} />
          <label htmlFor="avatar-url">Avatar URL <span className="muted">(optional)</span></label>
          <input id="avatar-url" name="avatar" type="url" />
          <button type="submit">Sign in as a guest</button>
        </form>
      ) : (
        <section id="signed-in">
          <p>Signed in as <strong id="me-name">{user.displayName}</strong>.</p>
          <form id="create" onSubmit={submit(async (f) => {
            location.hash = `#/h/${(await createHuddle(String(f.get('title')))).slug}`;
          })}>
            <label htmlFor="title">Start a huddle</label>
            <input id="title" name="title" required maxLength={120} />
            <button type="submit">Create and open</button>
          </form>
          <p className="muted">Or open a huddle's link: <code>#/h/&lt;slug&gt;</code>.</p>
        </section>
      )}
      {error ? <p className="error" role="alert">{error}</p> : null}
    </main>
  );
}
