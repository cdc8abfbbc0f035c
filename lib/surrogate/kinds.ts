/**
 * The surrogate kinds a campaign can choose (`surrogate.kind`), one line each: the campaign schema takes its enum
 * and help text from here, and the registry of implementations (activities/ml/surrogates/) must have an entry for
 * every kind. Pure.
 */
export const SURROGATE_KINDS = {
  'mlp-ensemble': 'a deep ensemble of MLPs (TensorFlow.js)',
  qrf: 'a quantile regression forest',
} as const;

export type SurrogateKind = keyof typeof SURROGATE_KINDS;

/** The kinds, in the order above (what z.enum takes). */
export const surrogateKinds = Object.keys(SURROGATE_KINDS) as [SurrogateKind, ...SurrogateKind[]];

/** "kind: what it is; ..." for the schema's help text. */
export const surrogateKindsHelp = Object.entries(SURROGATE_KINDS)
  .map(([kind, what]) => `${kind}: ${what}`)
  .join('; ');

export function isSurrogateKind(s: unknown): s is SurrogateKind {
  return typeof s === 'string' && Object.hasOwn(SURROGATE_KINDS, s);
}

/**
 * The failure classifier's kind (a campaign's `classifier:`): stored beside the surrogates, predicting each
 * candidate's probability that its calculations succeed (its models name the property `success`).
 */
export const FAILURE_CLASSIFIER = 'latent-binary-classifier';
export const SUCCESS_PROPERTY = 'success';
