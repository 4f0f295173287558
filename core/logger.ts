import pino, { type Logger } from 'pino';

export type { Logger };

/** Field paths that may hold personal data; pino replaces them before anything is written. */
const REDACT = [
  'phone',
  'address',
  'contact',
  '*.phone',
  '*.address',
  '*.contact',
  'req.headers.cookie',
  'req.headers.authorization',
  'password',
  '*.password',
];

/** The process logger: JSON lines, personal fields redacted. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination: 1 | 2 = 1): Logger {
  return pino(
    { level, base: { app: 'customer-steward' }, redact: { paths: REDACT, censor: '[已隐藏]' } },
    pino.destination(destination),
  );
}
