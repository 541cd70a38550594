/**
 * Preloaded (--import) into a process the stand-in's `utilityProcess.fork` starts: gives it
 * Electron's `process.parentPort`, and MessagePortMain objects for ports the parent transferred.
 * Everything crosses the Node IPC channel of child_process.fork (structured clone: 'advanced').
 */
import { EventEmitter } from 'node:events';

const ports = new Map();

class ChildMessagePort extends EventEmitter {
  #queue = [];
  #started = false;
  #closed = false;
  constructor(id) {
    super();
    this.id = id;
  }
  postMessage(data) {
    if (this.#closed || !process.connected) return;
    process.send({ standIn: 'port-message', id: this.id, data });
  }
  /** Messages are queued until start(), as on Electron's MessagePortMain. */
  start() {
    this.#started = true;
    for (const data of this.#queue.splice(0)) this.emit('message', { data, ports: [] });
  }
  close() {
    if (this.#closed) return;
    this.#closed = true;
    ports.delete(this.id);
    if (process.connected) process.send({ standIn: 'port-close', id: this.id });
  }
  deliver(data) {
    if (this.#closed) return;
    if (this.#started) this.emit('message', { data, ports: [] });
    else this.#queue.push(data);
  }
}

/** Messages are queued until a 'message' listener exists (Electron's documented behaviour). */
class ParentPort extends EventEmitter {
  #queue = [];
  constructor() {
    super();
    this.on('newListener', (event) => {
      if (event === 'message') setImmediate(() => this.#flush());
    });
  }
  postMessage(data) {
    if (process.connected) process.send({ standIn: 'child-message', data });
  }
  deliver(event) {
    if (this.listenerCount('message') > 0) this.emit('message', event);
    else this.#queue.push(event);
  }
  #flush() {
    while (this.#queue.length > 0 && this.listenerCount('message') > 0)
      this.emit('message', this.#queue.shift());
  }
}

const parentPort = new ParentPort();
Object.defineProperty(process, 'parentPort', { value: parentPort, enumerable: false });

process.on('message', (message) => {
  if (!message || typeof message !== 'object') return;
  if (message.standIn === 'parent-message') {
    const transferred = (message.ports ?? []).map((id) => {
      const port = new ChildMessagePort(id);
      ports.set(id, port);
      return port;
    });
    parentPort.deliver({ data: message.data, ports: transferred });
  } else if (message.standIn === 'port-message') {
    ports.get(message.id)?.deliver(message.data);
  } else if (message.standIn === 'port-close') {
    const port = ports.get(message.id);
    ports.delete(message.id);
    port?.emit('close');
  }
});
// Electron ends a utility process when the main process goes away.
process.on('disconnect', () => process.exit(1));
