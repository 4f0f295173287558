import fs from 'node:fs';
import { expect, it } from '@jest/globals';
import { CONFIG_SPEC } from '../../core/config.js';

it('.env.example documents every configuration variable', () => {
  const documented = new Set(fs.readFileSync('.env.example', 'utf8').split('\n').map((l) => /^([A-Z][A-Z0-9_]+)=/.exec(l)?.[1]).filter(Boolean));
  expect(Object.keys(CONFIG_SPEC).filter((k) => !documented.has(k))).toEqual([]);
  expect([...documented].filter((k) => !(k! in CONFIG_SPEC))).toEqual([]);
});
