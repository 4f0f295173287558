/** `npm run test:cluster`: the Galera cluster suite only (needs root, galera-4, mariadb-server, rsync). */
import base from '../../jest.config.js';

export default {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/cluster/*.cluster.ts'],
  maxWorkers: 1,
  testTimeout: 240000,
};
