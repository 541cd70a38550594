/** The contract over Electron IPC, through what the preload exposes as `window.magnus`. */
import type {
  CallName,
  CallRequest,
  CallResponse,
  EventName,
  Events,
  PreloadApi,
} from '../../../shared/contract.js';
import { CallFailure, isCallResult, type RendererClient, unwrapResult } from './renderer-client.js';

export function createIpcClient(api: PreloadApi): RendererClient {
  return {
    transport: 'ipc',
    async call<K extends CallName>(name: K, request: CallRequest<K>): Promise<CallResponse<K>> {
      let result: unknown;
      try {
        result = await api.call(name, request);
      } catch {
        throw new CallFailure('unavailable', 'The Magnus Sync main process did not answer.');
      }
      if (!isCallResult(result))
        throw new CallFailure('internal', 'The main process sent an unreadable answer.');
      return unwrapResult(result) as CallResponse<K>;
    },
    on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void {
      return api.on(name, (payload) => listener(payload as Events[E]));
    },
    // IPC lives as long as the window: always connected.
    onConnection(listener) {
      listener('connected', false);
      return () => {};
    },
  };
}
