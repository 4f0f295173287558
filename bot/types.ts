import type { Door } from '../models/index.js';
import type { IncomingMessage } from './channels/contract.js';

export type { Button, FileAttachment, IncomingMessage, Reply, ReplyHandle } from './channels/contract.js';

/** The audit door for a message: the console counts as the CLI, a messenger as its channel id. */
export function auditDoor(msg: Pick<IncomingMessage, 'via' | 'channel'>): Door {
  // audit_events.door is a plain string column; a channel id is recorded as it is.
  return (msg.via === 'console' ? 'cli' : msg.channel) as Door;
}
