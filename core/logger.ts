import pino, { type Logger } from 'pino';
import { correlationId } from './correlation.js';

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
export function createLogger(
  level: string = process.env.LOG_LEVEL ?? 'info',
  destination: 1 | 2 | pino.DestinationStream = 1,
): Logger {
  return pino(
    {
      level,
      base: { app: 'customer-steward' },
      redact: { paths: REDACT, censor: '[已隐藏]' },
      // Every line carries the correlation id of the request, message or job that wrote it. A line's
      // own field, then a child logger's binding (a messenger frame's receiver), win over the scope.
      mixin: (_line, _level, logger) => {
        const id = correlationId();
        return id && !('correlationId' in logger.bindings()) ? { correlationId: id } : {};
      },
    },
    typeof destination === 'number' ? pino.destination(destination) : destination,
  );
}
