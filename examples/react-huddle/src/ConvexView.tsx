// The same room through the drop-in for Convex's usePresence: the call is the one an app written against
// @convex-dev/presence makes, with only its import changed.
import usePresence from '@huddle-presence/client/convex';
import { api } from './presenceApi';
import { Avatar } from './Avatar';

export function ConvexView({ roomId, userId }: { roomId: string; userId: string }) {
  const presenceState = usePresence(api.presence, roomId, userId);
  return (
    <section className="card" aria-labelledby="convex-heading">
      <h2 id="convex-heading">usePresence <span className="muted">(Convex's signature)</span></h2>
      {presenceState === undefined ? (
        <p className="muted">Loading…</p>
      ) : (
        <ul id="convex-list" className="participants">
          {presenceState.map((p) => (
            <li key={p.userId} data-user-id={p.userId} data-online={p.online}>
              <Avatar key={p.image ?? ''} name={p.name} url={p.image} />
              <span className="who">
                <span className="name">{p.name ?? p.userId}</span>
                <span className="muted presence">
                  {p.online ? ' · online' : ` · offline since ${new Date(p.lastDisconnected).toLocaleTimeString()}`}
                </span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
