// A controllable DNS for cluster tests: set a name's answer (addresses, an error, or "never answers")
// and count the lookups made.
import type { Cluster } from '../../../proxy/config/model.ts';
import type { Resolver } from '../../../proxy/upstream/resolver.ts';

type Answer = string[] | Error | 'hang' | Promise<string[]>;

export class FakeResolver implements Resolver {
  readonly answers = new Map<string, Answer>();
  readonly calls: string[] = [];

  set(name: string, answer: Answer): this {
    this.answers.set(name, answer);
    return this;
  }

  resolve(name: string): Promise<string[]> {
    this.calls.push(name);
    const a = this.answers.get(name) ?? [];
    if (a === 'hang') return new Promise(() => {});
    if (a instanceof Error) return Promise.reject(a);
    if (a instanceof Promise) return a.then((v) => [...v]);
    return Promise.resolve([...a]);
  }

  /** The next lookups of `name` wait until the returned function supplies the answer. */
  defer(name: string): (addresses: string[]) => void {
    let release: (addresses: string[]) => void = () => {};
    this.answers.set(
      name,
      new Promise<string[]>((resolve) => {
        release = resolve;
      }),
    );
    return (addresses) => {
      this.answers.set(name, addresses);
      release(addresses);
    };
  }

  count(name: string): number {
    return this.calls.filter((c) => c === name).length;
  }
}

export function clusterConfig(overrides: Partial<Cluster> & { name: string }): Cluster {
  return {
    type: 'STATIC',
    lbPolicy: 'ROUND_ROBIN',
    connectTimeoutMs: 250,
    dnsRefreshRateMs: 5000,
    dnsLookupFamily: 'V4_ONLY',
    endpoints: [],
    ...overrides,
  };
}
