// The example runs on the Huddle Presence server through Vite's proxy, so the app, its API calls and
// its WebSocket share one origin and the sign-in cookie (HUDDLE_SERVER, default http://localhost:8080).
// `npm run dev` and `npm run preview` proxy alike.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const target = process.env.HUDDLE_SERVER ?? 'http://localhost:8080';
const proxy = {
  '/api': { target },
  '/ws': { target, ws: true },
};

export default defineConfig({
  plugins: [react()],
  // The package is linked from ../../huddle-js: its `import 'react'` must find this app's React, not a second copy.
  resolve: { dedupe: ['react', 'react-dom'] },
  server: { proxy },
  preview: { proxy },
});
