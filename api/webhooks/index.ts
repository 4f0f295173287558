import type { Core } from '../../core/context.js';
import { WebhookDispatcher } from './dispatcher.js';

/** Starts the webhook dispatcher with the server; the returned stopper ends it on shutdown. */
export function webhookDispatcherMount(core: Core): () => () => Promise<void> {
  return () => {
    const dispatcher = new WebhookDispatcher(core);
    dispatcher.start();
    return () => dispatcher.stop();
  };
}
