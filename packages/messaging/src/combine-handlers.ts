import type { EventName } from '@fv/contracts';
import type { EventHandler, EventHandlers } from './consumer.js';

/**
 * Handlers of several readers as one consumer's: each event is read (fetched, decoded, recorded as
 * processed) once, and every reader that handles it runs in turn, in the order given, in the same
 * transaction — so one reader's failure rolls the others' writes back and the event is retried for all.
 */
export function combineHandlers(...readers: EventHandlers[]): EventHandlers {
  const combined: Partial<Record<EventName, EventHandler<EventName>>> = {};
  const names = new Set(readers.flatMap((reader) => Object.keys(reader) as EventName[]));
  for (const name of names) {
    const handlers = readers
      .map((reader) => reader[name] as EventHandler<EventName> | undefined)
      .filter((handler): handler is EventHandler<EventName> => handler !== undefined);
    combined[name] =
      handlers.length === 1
        ? handlers[0]!
        : async (event, context) => {
            for (const handler of handlers) await handler(event, context);
          };
  }
  return combined as EventHandlers;
}
