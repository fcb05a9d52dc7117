import { useEffect, useState } from 'react';
import { enter, type Huddle, type User } from './api';
import { ParticipantsPanel } from './ParticipantsPanel';
import { ConvexView } from './ConvexView';

export function Room({ slug, user }: { slug: string; user: User }) {
  const [huddle, setHuddle] = useState<Huddle | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    enter(slug).then(setHuddle, (e: Error) => setError(e.message));
  }, [slug]);

  if (error) return <main><p className="error" role="alert">{error}</p><p><a href="#/">Back</a></p></main>;
  if (!huddle) return <main><p className="muted">Opening the huddle…</p></main>;
  return (
    <main className="room">
      <p><a href="#/">← Home</a></p>
      <h1 id="title">{huddle.title}</h1>
      <div className="columns">
        <ParticipantsPanel huddleId={huddle.id} user={user} />
        <ConvexView roomId={huddle.id} userId={user.userId} />
      </div>
    </main>
  );
}
