// Toasts for room events ("Bob joined", "Cy started recording"). The container is a polite live region,
// so every toast is also announced by screen readers; each stays a few seconds.
import { describeEvent } from '../client/index.js';

const SHOWN_MS = 4000;

export function showToast(container, event) {
  const div = document.createElement('div');
  div.className = `toast ${event.kind}`;
  div.textContent = describeEvent(event);
  container.append(div);
  setTimeout(() => div.remove(), SHOWN_MS);
}
