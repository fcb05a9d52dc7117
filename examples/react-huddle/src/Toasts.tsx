// Toasts for the hook's events: each new event (an id above the last one shown) shows for a few
// seconds. The container is a polite live region, so screen readers announce them too.
import { useEffect, useRef, useState } from 'react';
import { describeEvent, type HuddleEvent } from '@huddle-presence/client';

const SHOWN_MS = 4000;

export function Toasts({ events }: { events: readonly HuddleEvent[] }) {
  const [shown, setShown] = useState<HuddleEvent[]>([]);
  const lastSeen = useRef(events.at(-1)?.id ?? 0); // what happened before this view is not news
  useEffect(() => {
    const fresh = events.filter((e) => e.id > lastSeen.current);
    if (fresh.length === 0) return;
    lastSeen.current = fresh[fresh.length - 1].id;
    setShown((s) => [...s, ...fresh]);
    setTimeout(() => setShown((s) => s.filter((e) => !fresh.includes(e))), SHOWN_MS);
  }, [events]);
  return (
    <div id="toasts" className="toasts" role="status" aria-live="polite">
      {shown.map((e) => <div key={e.id} className={`toast ${e.kind}`}>{describeEvent(e)}</div>)}
    </div>
  );
}
