/** A typed event bus for the contract's pushed events; a throwing listener never stops the others. */
import { EventEmitter } from 'node:events';
import type { EventName, Events } from '../../shared/contract.js';
import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { EventBus } from './runtime-types.js';

export function createEventBus(logger: Logger): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(100);
  return {
    on<E extends EventName>(name: E, listener: (payload: Events[E]) => void) {
      const safe = (payload: Events[E]) => {
        try {
          listener(payload);
        } catch (error) {
          logger.warn(`a ${name} listener failed`, errorMeta(error));
        }
      };
      emitter.on(name, safe);
      return () => emitter.off(name, safe);
    },
    emit(name, payload) {
      emitter.emit(name, payload);
    },
  };
}
