import { useState } from 'react';
import { initials } from '@huddle-presence/client';

/** The user's picture, or their initials when there is none or it fails to load. Key it by the URL. */
export function Avatar({ name, url }: { name?: string | null; url?: string | null }) {
  const [failed, setFailed] = useState(false);
  return (
    <span className="avatar" aria-hidden="true">
      {url && !failed ? <img src={url} alt="" referrerPolicy="no-referrer" onError={() => setFailed(true)} /> : initials(name)}
    </span>
  );
}
