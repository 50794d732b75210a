// %RESPONSE_FLAGS% as Envoy prints them: short names joined by commas in the order of Envoy's flag list
// (StreamInfo::ResponseFlagUtils), whatever order the proxy set them in, e.g. "UF,URX".

const ORDER = [
  'LH',
  'UH',
  'UT',
  'LR',
  'UR',
  'UF',
  'UC',
  'UO',
  'NR',
  'DI',
  'FI',
  'RL',
  'UAEX',
  'RLSE',
  'DC',
  'URX',
  'SI',
  'IH',
  'DPE',
  'UMSDR',
  'RFCF',
  'NFCF',
  'DT',
  'UPE',
  'NC',
  'OM',
  'DF',
  'DO',
  'DR',
  'UDO',
];

function rank(flag: string): number {
  const i = ORDER.indexOf(flag);
  return i < 0 ? ORDER.length : i;
}

/** `flags` ('' for none) with `flag` added once, in Envoy's order. */
export function addResponseFlag(flags: string, flag: string): string {
  if (flag === '') return flags;
  if (flags === '') return flag;
  const list = flags.split(',');
  if (list.includes(flag)) return flags;
  list.push(flag);
  list.sort((a, b) => rank(a) - rank(b));
  return list.join(',');
}
