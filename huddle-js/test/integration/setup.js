// jsdom's own WebSocket (undici's) fires events that jsdom's Event class does not recognise, so the
// integration tests give the page the `ws` package's WebSocket, as Node 22 would give its own. It sends
// no Origin, like any non-browser client; the browser's Origin is exercised by the end-to-end tests.
import { vi } from 'vitest';
import WebSocket from 'ws';

vi.stubGlobal('WebSocket', WebSocket);
