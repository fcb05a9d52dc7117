// Two screens: sign in and start or open a huddle; then the huddle, shown twice — by useHuddlePresence
// (the panel) and by the Convex-signature usePresence (the list). The address is #/h/<slug>.
import { useEffect, useState } from 'react';
import { HuddlePresenceProvider } from '@huddle-presence/client/react';
import { me, type User } from './api';
import { Home } from './Home';
import { Room } from './Room';

function slugInAddress() {
  return /^#\/h\/([^/?#]+)/.exec(location.hash)?.[1] ?? null;
}

export function App() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [slug, setSlug] = useState(slugInAddress);
  useEffect(() => {
    me().then(setUser, () => setUser(null));
    const onHash = () => setSlug(slugInAddress());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  if (user === undefined) return <main><p className="muted">Loading…</p></main>;
  if (!user || !slug) return <Home user={user} onSignedIn={setUser} />;
  // Same origin through the dev server's proxy: no URL and no token needed (the cookie signs the socket).
  return (
    <HuddlePresenceProvider>
      <Room slug={slug} user={user} />
    </HuddlePresenceProvider>
  );
}
