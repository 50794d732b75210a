// Reads the fenced code blocks of the seed documents (the user labs) at test time, so the tests load
// exactly what a user copies from them.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

import { SEEDS_DIR } from './shared-paths.ts';

export { SEEDS_DIR };

export interface FencedBlock {
  lang: string;
  text: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/** The fenced blocks of a markdown document. A fence closes on a line starting with at least as many backticks. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  let open: { fence: number; lang: string; line: number; lines: string[] } | undefined;
  markdown.split('\n').forEach((line, i) => {
    const fence = /^\s*(`{3,})(.*)$/.exec(line);
    if (open === undefined) {
      if (fence !== null) open = { fence: fence[1]!.length, lang: fence[2]!.trim(), line: i + 1, lines: [] };
      return;
    }
    if (fence !== null && fence[1]!.length >= open.fence) {
      blocks.push({ lang: open.lang, text: `${open.lines.join('\n')}\n`, line: open.line });
      open = undefined;
      return;
    }
    open.lines.push(line);
  });
  return blocks;
}

export function seedYamlBlocks(seed: string): FencedBlock[] {
  return fencedBlocks(readFileSync(`${SEEDS_DIR}/${seed}`, 'utf8')).filter((b) => b.lang === 'yaml');
}

/**
 * Every Envoy bootstrap in a seed: a yaml block that is a bootstrap itself (has static_resources), or a
 * Kubernetes ConfigMap carrying one under data["envoy.yaml"].
 */
export function seedBootstraps(seed: string): { text: string; line: number }[] {
  const found: { text: string; line: number }[] = [];
  for (const block of seedYamlBlocks(seed)) {
    const doc: unknown = parse(block.text);
    if (typeof doc !== 'object' || doc === null) continue;
    const record = doc as Record<string, unknown>;
    if ('static_resources' in record) found.push({ text: block.text, line: block.line });
    const data =
      record.kind === 'ConfigMap' ? (record.data as Record<string, unknown> | undefined) : undefined;
    const envoyYaml = data?.['envoy.yaml'];
    if (typeof envoyYaml === 'string') found.push({ text: envoyYaml, line: block.line });
  }
  return found;
}

/** The first yaml block of a seed whose text contains `marker`, parsed. */
export function seedFragment(seed: string, marker: string): unknown {
  const block = seedYamlBlocks(seed).find((b) => b.text.includes(marker));
  if (block === undefined) throw new Error(`no yaml block containing "${marker}" in ${seed}`);
  return parse(block.text);
}
