// Command line of bench/proxy/run.ts.

export const targetNames = [
  'origin',
  'nginx',
  'meshscope',
  'meshscope-log',
  'meshscope-policies',
  'nodehttp',
] as const;
export type TargetName = (typeof targetNames)[number];

export interface BenchArgs {
  rounds: number;
  durationS: number;
  warmupS: number;
  targets: TargetName[];
}

export const defaultBenchArgs: Readonly<BenchArgs> = {
  rounds: 5,
  durationS: 10,
  warmupS: 3,
  targets: ['origin', 'nginx', 'meshscope', 'meshscope-log', 'meshscope-policies'],
};

export const usage = `usage: node bench/proxy/run.ts [--rounds N] [--duration S] [--warmup S] [--targets LIST]
  --rounds N      interleaved rounds; each round runs every target once (default ${defaultBenchArgs.rounds})
  --duration S    seconds of wrk load per target and round (default ${defaultBenchArgs.durationS})
  --warmup S      seconds of unmeasured load per target before the first round (default ${defaultBenchArgs.warmupS})
  --targets LIST  comma-separated, from: ${targetNames.join(', ')} (default ${defaultBenchArgs.targets.join(',')})
      origin         wrk straight at the origin: shows the origin is not the bottleneck
      nginx          nginx, one worker, upstream keepalive 64 (the reference)
      meshscope      bin/meshscope-proxy, weighted 80/20 route, access log off
      meshscope-log  the same with a file access log
      meshscope-policies  the same with circuit breakers, a retry policy and the file access log (issue 6)
      nodehttp       a node:http + http.request stand-in proxy (a reference point for a plain Node proxy)`;

function positiveNumber(flag: string, value: string | undefined, integer: boolean): number {
  const number = Number(value);
  if (
    value === undefined ||
    !Number.isFinite(number) ||
    number <= 0 ||
    (integer && !Number.isInteger(number))
  ) {
    throw new Error(`${flag} needs a positive ${integer ? 'integer' : 'number'}, got ${value ?? 'nothing'}`);
  }
  return number;
}

function targetList(value: string | undefined): TargetName[] {
  const names = (value ?? '').split(',').filter((name) => name !== '');
  if (names.length === 0) throw new Error('--targets needs at least one target');
  for (const name of names) {
    if (!(targetNames as readonly string[]).includes(name)) {
      throw new Error(`unknown target "${name}"; choose from ${targetNames.join(', ')}`);
    }
  }
  return [...new Set(names as TargetName[])];
}

/** Parses argv (without node and the script). Throws on anything unknown or malformed. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { ...defaultBenchArgs, targets: [...defaultBenchArgs.targets] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case '--rounds':
        args.rounds = positiveNumber(flag, value, true);
        break;
      case '--duration':
        args.durationS = positiveNumber(flag, value, true);
        break;
      case '--warmup':
        // 0 is allowed: skip warm-up.
        args.warmupS = value === '0' ? 0 : positiveNumber(flag, value, true);
        break;
      case '--targets':
        args.targets = targetList(value);
        break;
      default:
        throw new Error(`unknown argument "${flag}"\n${usage}`);
    }
    i++;
  }
  return args;
}
