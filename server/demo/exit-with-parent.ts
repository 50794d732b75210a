// Preloaded into each demo sidecar (`NODE_OPTIONS=--import …`): the proxy never reads its stdin, so the
// demo hands it a pipe whose only use is to close. The kernel closes the parent's end when the parent
// exits in any way, SIGKILL included; the sidecar then stops as on SIGTERM (drain, exit), leaving no
// orphan bound to the demo's addresses.
const stdin = process.stdin;
let quitting = false;
const quit = () => {
  if (quitting) return;
  quitting = true;
  process.kill(process.pid, 'SIGTERM');
  // The proxy's own SIGTERM handling exits after its drain time; this is the backstop.
  setTimeout(() => process.exit(0), 10_000).unref();
};
stdin.on('end', quit);
stdin.on('close', quit);
stdin.on('error', quit);
stdin.resume();
// Reading must not keep the process alive by itself.
(stdin as { unref?: () => void }).unref?.();
