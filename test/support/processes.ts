// Real processes for integration tests, in one import: the bundled proxy (proxy-process.ts), backend HTTP
// servers (backend-process.ts), raw upstreams (raw-upstream.ts) and free ports (free-port.ts). Every
// process started here is tracked (tracked-processes.ts): call `stopAll()` from `afterAll`; any left
// when the test worker exits are SIGKILLed, so a failed or interrupted run leaks nothing.
export {
  type BackendProcess,
  type BackendStats,
  type StartBackendOptions,
  startBackend,
} from './backend-process.ts';
export { freePort } from './free-port.ts';
export { type ProxyProcess, type StartProxyOptions, startProxy } from './proxy-process.ts';
export { type RawUpstream, type RawUpstreamConnection, rawUpstream } from './raw-upstream.ts';
export { PINNED_NODE, stopAll } from './tracked-processes.ts';
