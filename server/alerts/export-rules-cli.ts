// `meshscope export-rules`: the alert rules (built-in, or a rules file's) as a Prometheus rules file or a
// PrometheusRule manifest on stdout, for `rule_files` or `kubectl apply -f -`.
import { loadRuleSet } from './alerts-setup.ts';
import { prometheusRuleManifest, prometheusRulesFile } from './prometheus-rules-export.ts';

export const EXPORT_RULES_USAGE = `usage: meshscope export-rules [options]
  --alert-rules FILE       the rules file to export (default: the built-in rules)
  --format F               prometheus (a rules file, default) or prometheusrule (a Prometheus Operator manifest)
  --window S               rate window in seconds (default 60, as the dashboard's --window)
  --by LABELS              target labels to group by, comma-separated (default namespace,job,instance)
  --namespace-label LABEL  the label holding the Kubernetes namespace (default namespace)
  --namespace NS           metadata.namespace of the PrometheusRule`;

export async function exportRulesCli(
  argv: readonly string[],
  out: (s: string) => void,
): Promise<{ code: number; error?: string }> {
  let rulesFile: string | undefined;
  let format = 'prometheus';
  let windowSeconds = 60;
  let by: string[] | undefined;
  let namespaceLabel: string | undefined;
  let namespace: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--alert-rules':
        rulesFile = next();
        break;
      case '--format':
        format = next();
        if (format !== 'prometheus' && format !== 'prometheusrule')
          return { code: 2, error: `--format must be prometheus or prometheusrule, got '${format}'` };
        break;
      case '--window':
        windowSeconds = Number(next());
        if (!Number.isInteger(windowSeconds) || windowSeconds < 1)
          return { code: 2, error: '--window must be a whole number of seconds ≥ 1' };
        break;
      case '--by':
        by = next()
          .split(',')
          .map((l) => l.trim());
        break;
      case '--namespace-label':
        namespaceLabel = next();
        break;
      case '--namespace':
        namespace = next();
        break;
      case '-h':
      case '--help':
        out(`${EXPORT_RULES_USAGE}\n`);
        return { code: 0 };
      default:
        return { code: 2, error: `unknown option '${flag}'\n${EXPORT_RULES_USAGE}` };
    }
  }
  try {
    const set = await loadRuleSet(rulesFile);
    const opts = {
      windowSeconds,
      ...(by !== undefined && { by }),
      ...(namespaceLabel !== undefined && { namespaceLabel }),
    };
    out(
      format === 'prometheus'
        ? prometheusRulesFile(set, opts)
        : prometheusRuleManifest(set, { ...opts, ...(namespace !== undefined && { namespace }) }),
    );
    return { code: 0 };
  } catch (e) {
    return { code: 1, error: (e as Error).message };
  }
}
