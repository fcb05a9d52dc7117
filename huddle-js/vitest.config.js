// Four projects: `unit` (the pure state and the client, with fakes, in Node), the hook's contract in
// jsdom against React 19 and against React 18 (installed apart in test/react-18, so that its react-dom
// and Testing Library resolve that React too), and `integration` (the package against the real server,
// started from the jar Maven built; see test/integration/server.js).
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const react18 = (name) => fileURLToPath(new URL(`./test/react-18/node_modules/${name}`, import.meta.url));

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.js'], environment: 'node' },
      },
      {
        test: { name: 'react-19', include: ['test/react/**/*.test.js'], environment: 'jsdom', env: { REACT_MAJOR: '19' } },
      },
      {
        resolve: {
          alias: [
            { find: /^react$/, replacement: react18('react') },
            { find: /^react\/(.*)$/, replacement: `${react18('react')}/$1` },
            { find: /^react-dom$/, replacement: react18('react-dom') },
            { find: /^react-dom\/(.*)$/, replacement: `${react18('react-dom')}/$1` },
            { find: /^@testing-library\/react$/, replacement: react18('@testing-library/react') },
          ],
        },
        test: { name: 'react-18', include: ['test/react/**/*.test.js'], environment: 'jsdom', env: { REACT_MAJOR: '18' } },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.js'],
          environment: 'jsdom',
          globalSetup: ['test/integration/server.js'],
          setupFiles: ['test/integration/setup.js'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
