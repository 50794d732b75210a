// The admin `/runtime` document, shaped exactly as Envoy's RuntimeHandler writes it: the layer names in
// order, and for every key present in any layer its raw value per layer ("" where the layer lacks it)
// and a final value — the last non-empty one, which is what Envoy prints. Keys come out sorted (Envoy
// collects them in a std::map). Pure.

export interface RuntimeDumpEntry {
  final_value: string;
  layer_values: string[];
}

export interface RuntimeDump {
  layers: string[];
  entries: Record<string, RuntimeDumpEntry>;
}

export interface RuntimeLayerValues {
  readonly name: string;
  readonly values: ReadonlyMap<string, string>;
}

export function dumpRuntime(layers: readonly RuntimeLayerValues[]): RuntimeDump {
  const keys = new Set<string>();
  for (const l of layers) for (const k of l.values.keys()) keys.add(k);
  const sorted = [...keys].sort();
  // Object.fromEntries defines own properties, so even a key named "__proto__" is an ordinary entry.
  const entries = Object.fromEntries(
    sorted.map((key): [string, RuntimeDumpEntry] => {
      const layerValues = layers.map((l) => l.values.get(key) ?? '');
      let finalValue = '';
      for (const v of layerValues) if (v !== '') finalValue = v;
      return [key, { final_value: finalValue, layer_values: layerValues }];
    }),
  );
  return { layers: layers.map((l) => l.name), entries };
}
