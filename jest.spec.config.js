/** `npm run test:spec -- <file>`: specs one by one, each in its own module registry, as jest runs files. */
import base from './jest.config.js';

export default { ...base, testMatch: ['<rootDir>/test/**/*.spec.ts'] };
