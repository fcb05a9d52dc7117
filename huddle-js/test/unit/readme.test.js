// The README's React example is compiled by the type check (test/types/readme-room.tsx): keep the two one.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

test('the README\'s React room is the code the type check compiles', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const snippet = /```tsx\n(import \{ HuddlePresenceProvider[\s\S]*?)```/.exec(readme)?.[1];
  const compiled = readFileSync(new URL('../types/readme-room.tsx', import.meta.url), 'utf8');
  assert.ok(snippet, 'README.md has the React example');
  assert.equal(compiled.slice(compiled.indexOf('\n') + 1), snippet);
});
