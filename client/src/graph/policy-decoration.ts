// Policy badges as the graph shows them: a small glyph per badge in the element's label (like
// Kiali's badge icons), and a class per badge so the stylesheet can mark states (an open breaker,
// ejected hosts, a mirror edge drawn dashed). Which badges a set of policies earns is decided once,
// in shared/api/policies.ts; this only says how each one looks.
import type { GraphEdge } from '../../../shared/api/graph.ts';
import { type Policies, type PolicyBadge, policyBadges } from '../../../shared/api/policies.ts';

/**
 * Glyphs from the Basic Multilingual Plane symbols that common UI fonts carry (no emoji: headless
 * and Linux browsers often lack colour emoji fonts). Configuration-only policies (outlier detection
 * without ejections, health checks, hashing, TLS) get no glyph, to keep labels short; the side panel
 * lists them.
 */
export const BADGE_GLYPHS: Readonly<Record<PolicyBadge, string>> = {
  circuitBreaker: '⚡',
  circuitBreakerOpen: '⚡!',
  outlierDetection: '',
  ejected: '⏏',
  healthCheck: '',
  retries: '↻',
  // U+23F1 (stopwatch) is missing from common Linux fonts (DejaVu): a clock-like geometric shape.
  timeout: '◷',
  fault: '↯',
  mirror: '⇉',
  hash: '',
  tls: '',
};

export const BADGE_TITLES: Readonly<Record<PolicyBadge, string>> = {
  circuitBreaker: 'circuit breaker configured',
  circuitBreakerOpen: 'circuit breaker open or refusing requests (UO)',
  outlierDetection: 'outlier detection',
  ejected: 'hosts ejected by outlier detection',
  healthCheck: 'active health checks',
  retries: 'retries',
  timeout: 'route timeout',
  fault: 'fault injection',
  mirror: 'traffic mirrored',
  hash: 'consistent hashing',
  tls: 'TLS',
};

/** Class names: `badge-circuitBreakerOpen` and so on. */
export function badgeClasses(badges: readonly PolicyBadge[]): string[] {
  return badges.map((b) => `badge-${b}`);
}

/** The glyphs of the badges that have one, space-separated ('' for none). */
export function badgeGlyphs(badges: readonly PolicyBadge[]): string {
  return badges
    .map((b) => BADGE_GLYPHS[b])
    .filter((g) => g !== '')
    .join(' ');
}

export interface PolicyDecoration {
  /** Badge names, space-separated, for data() (find by badge, e2e assertions on the model). */
  badges: string;
  glyphs: string;
  classes: string[];
}

export function policyDecoration(policies: Policies | undefined): PolicyDecoration {
  const badges = policyBadges(policies);
  return { badges: badges.join(' '), glyphs: badgeGlyphs(badges), classes: badgeClasses(badges) };
}

/**
 * Glyphs a node shows: the states of what its callers apply towards it (a breaker, ejected hosts) and
 * faults; route behaviour (retries, timeouts, mirrors) stays on the edges, so a node's label keeps
 * its name readable. Its classes and `badges` still name every badge.
 */
const NODE_GLYPH_BADGES: ReadonlySet<PolicyBadge> = new Set([
  'circuitBreaker',
  'circuitBreakerOpen',
  'ejected',
  'fault',
]);

export function nodePolicyDecoration(policies: Policies | undefined): PolicyDecoration {
  const d = policyDecoration(policies);
  const shown = policyBadges(policies).filter((b) => NODE_GLYPH_BADGES.has(b));
  return { ...d, glyphs: badgeGlyphs(shown) };
}

/**
 * A mirror edge's own decoration: it is the mirrored copy itself, so it carries the mirror class
 * (dashed in the stylesheet) and glyph, not its primary route's badges.
 */
export function edgePolicyDecoration(e: GraphEdge): PolicyDecoration {
  if (e.mirror === true) return { badges: 'mirror', glyphs: BADGE_GLYPHS.mirror, classes: ['mirror'] };
  return policyDecoration(e.policies);
}
