#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so `npm start` and `steward` need no build step.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
