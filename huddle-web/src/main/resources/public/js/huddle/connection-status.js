// The connection's state, small and out of the way: "live" with a green dot, "reconnecting…" and
// "connecting…" in amber, "offline" in grey. The element's data-status drives the styling.
const LABELS = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', offline: 'offline' };

export function showStatus(element, status) {
  element.dataset.status = status;
  element.textContent = LABELS[status] ?? status;
}
