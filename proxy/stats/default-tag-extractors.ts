// Envoy's default tag extractors (source/common/config/well_known_names.cc, `TagNameValues`), as data.
// Order matters: Envoy registers every regex descriptor first, then every tokenized one, and applies
// them in that order; the order of the tags in /stats/prometheus follows it. Regexes use the same
// capture convention as Envoy: group 1 is removed from the name, group 2 (if non-empty) is the value.

/** A regex extractor (Envoy's `addRe2`). */
export interface RegexTagDescriptor {
  kind: 'regex';
  tag: string;
  regex: string;
  /** Envoy's `negative_matching_value`: a captured value equal to it yields no tag. */
  negative?: string;
}

/**
 * A tokenized extractor (Envoy's `addTokenized`, `TagExtractorTokensImpl`): dot-separated tokens where
 * `$` is the captured token, `*` any one token, `**` any number of tokens, anything else a literal.
 */
export interface TokenTagDescriptor {
  kind: 'tokens';
  tag: string;
  pattern: string;
}

export type TagDescriptor = RegexTagDescriptor | TokenTagDescriptor;

// Substitutions Envoy applies to its regexes before compiling them (`expandRegex`).
const SUBSTITUTIONS: Record<string, string> = {
  '<ADDRESS>': String.raw`(?:(?:\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[[a-fA-F_\d]+\])_\d+)`,
  '<CIPHER>': String.raw`[\w-]+`,
  '<TLS_VERSION>': String.raw`TLSv\d\.\d`,
  '<TAG_VALUE>': String.raw`[^\.]+`,
  '<ROUTE_CONFIG_NAME>': String.raw`[\w.-]+`,
  '<LISTENER_OR_CLUSTER_WITH_NAME>': String.raw`(?:listener|cluster)\..*?`,
};

function expand(regex: string): string {
  return regex.replace(/<[A-Z_]+>/g, (k) => SUBSTITUTIONS[k] ?? k);
}

function re(tag: string, regex: string, negative?: string): RegexTagDescriptor {
  return negative === undefined
    ? { kind: 'regex', tag, regex: expand(regex) }
    : { kind: 'regex', tag, regex: expand(regex), negative };
}

function tok(tag: string, pattern: string): TokenTagDescriptor {
  return { kind: 'tokens', tag, pattern };
}

const R = String.raw;

/** Regex descriptors, in Envoy's registration order. */
const REGEX_DESCRIPTORS: RegexTagDescriptor[] = [
  re('envoy.response_code', R`_rq(_(\d{3}))$`),
  re('envoy.response_code_class', R`_rq_((\d))xx$`),
  re(
    'envoy.dynamo_partition_id',
    R`^http\.<TAG_VALUE>\.dynamodb\.table\.<TAG_VALUE>\.capacity\.<TAG_VALUE>(\.__partition_id=(\w{7}))$`,
  ),
  re(
    'envoy.dynamo_operation',
    R`^http\.<TAG_VALUE>\.dynamodb.(?:operation|table\.<TAG_VALUE>\.capacity)(\.(<TAG_VALUE>))(?:\.|$)`,
  ),
  re('envoy.dynamo_table', R`^http\.<TAG_VALUE>\.dynamodb.(?:table|error)\.((<TAG_VALUE>)\.)`),
  re('envoy.ssl_cipher', R`^listener\..*?\.ssl\.ciphers(\.(<CIPHER>))$`),
  re('envoy.ssl_curve', R`^<LISTENER_OR_CLUSTER_WITH_NAME>\.ssl\.curves(\.(<CIPHER>))$`),
  re('envoy.ssl_sigalg', R`^<LISTENER_OR_CLUSTER_WITH_NAME>\.ssl\.sigalgs(\.(<CIPHER>))$`),
  re('envoy.ssl_version', R`^<LISTENER_OR_CLUSTER_WITH_NAME>\.ssl\.versions(\.(<TLS_VERSION>))$`),
  // Envoy's SSL_CIPHER_SUITE tag name really has no `envoy.` prefix.
  re('cipher_suite', R`^cluster\.<TAG_VALUE>\.ssl\.ciphers(\.(<CIPHER>))$`),
  re('envoy.http_conn_manager_prefix', R`^listener\..*?\.http\.((<TAG_VALUE>)\.)`),
  re(
    'envoy.worker_id',
    R`^(?:listener\.(?:<ADDRESS>|<TAG_VALUE>)\.|server\.|listener_manager\.)worker_((\d+)\.)`,
  ),
  // `listener.admin.*` keeps "admin" in the name: it is the admin listener, not an address.
  re('envoy.listener_address', R`^listener\.((<ADDRESS>|<TAG_VALUE>)\.)`, 'admin'),
  re('envoy.rds_route_config', R`^http\.<TAG_VALUE>\.rds\.((<ROUTE_CONFIG_NAME>)\.)\w+?$`),
];

/** Tokenized descriptors, in Envoy's registration order. */
const TOKEN_DESCRIPTORS: TokenTagDescriptor[] = [
  tok('envoy.mongo_callsite', 'mongo.*.collection.*.callsite.$.query.**'),
  tok('envoy.mongo_collection', 'mongo.*.collection.$.**.query.*'),
  tok('envoy.mongo_cmd', 'mongo.*.cmd.$.**'),
  tok('envoy.grpc_bridge_method', 'cluster.*.grpc.*.$.**'),
  tok('envoy.http_user_agent', 'http.*.user_agent.$.**'),
  tok('envoy.virtual_cluster', 'vhost.*.vcluster.$.**'),
  tok('envoy.fault_downstream_cluster', 'http.*.fault.$.**'),
  tok('envoy.grpc_bridge_service', 'cluster.*.grpc.$.**'),
  tok('envoy.tcp_prefix', 'tcp.$.**'),
  tok('envoy.udp_prefix', 'udp.$.**'),
  tok('envoy.clientssl_prefix', 'auth.clientssl.$.**'),
  tok('envoy.ratelimit_prefix', 'ratelimit.$.**'),
  // The cluster name is one token: a name with dots is split, the rest stays in the metric name.
  tok('envoy.cluster_name', 'cluster.$.**'),
  tok('envoy.ext_authz_prefix', 'cluster.*.ext_authz.$.**'),
  tok('envoy.ext_authz_prefix', 'http.*.ext_authz.$.**'),
  tok('envoy.http_conn_manager_prefix', 'http.$.**'),
  tok('envoy.virtual_host', 'vhost.$.**'),
  tok('envoy.mongo_prefix', 'mongo.$.**'),
  tok('envoy.route', 'vhost.*.route.$.**'),
  tok('envoy.thrift_prefix', 'thrift.$.**'),
  tok('envoy.redis_prefix', 'redis.$.**'),
  tok('envoy.local_http_ratelimit_prefix', '$.http_local_rate_limit.**'),
  tok('envoy.local_network_ratelimit_prefix', 'local_rate_limit.$.**'),
  tok('envoy.local_listener_ratelimit_prefix', 'listener_local_ratelimit.$.**'),
  tok('envoy.dns_filter_prefix', 'dns_filter.$.**'),
];

/** Every default descriptor in the order Envoy's `TagProducerImpl::addDefaultExtractors` adds them. */
export const DEFAULT_TAG_DESCRIPTORS: readonly TagDescriptor[] = [...REGEX_DESCRIPTORS, ...TOKEN_DESCRIPTORS];
