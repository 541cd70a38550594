/** Choosing the loopback port: the remembered one when free, else one the OS hands out. */
import { createServer } from 'node:net';

function listenOn(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}

export async function portIsFree(port: number): Promise<boolean> {
  return (await listenOn(port)) === port;
}

/** `preferred` when nothing listens on it, else a free port from the OS. */
export async function choosePort(preferred: number): Promise<number> {
  if (await portIsFree(preferred)) return preferred;
  const other = await listenOn(0);
  if (other === null) throw new Error('No free TCP port on 127.0.0.1 for the embedded database.');
  return other;
}
