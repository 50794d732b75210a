// Ports for the processes a test starts (never fixed ones, so parallel workers do not collide).
import net from 'node:net';

const recentlyHanded = new Set<number>();

/**
 * A port that was free a moment ago on 127.0.0.1 (bound to :0, then released). Never the same port twice
 * in one worker, so two calls for one config cannot collide.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((res, rej) => {
      const s = net.createServer();
      s.once('error', rej);
      s.listen({ host: '127.0.0.1', port: 0 }, () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => res(p));
      });
    });
    if (!recentlyHanded.has(port)) {
      recentlyHanded.add(port);
      return port;
    }
  }
}
