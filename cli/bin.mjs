#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so `npm start` and `steward` need no build step.
import fs from 'node:fs';
import { register } from 'tsx/esm/api';

// A local .env (see .env.example) fills in what the environment does not set.
if (fs.existsSync('.env')) process.loadEnvFile('.env');
register();
await import('./main.ts');
