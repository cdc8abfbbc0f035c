/** A config problem, pinned to the place in the file a user has to change. */
export interface Problem {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
  /** Dotted field path such as `tiers.0.method`; empty for the document as a whole. */
  path: string;
  message: string;
}

/** `FILE:LINE:COL path.to.field: message`, the form editors and terminals turn into links. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col} ${p.path === '' ? '(root)' : p.path}: ${p.message}`;
}

/** Orders problems as they appear in the file (stable for problems at the same place). */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.col - b.col);
}

export function dottedPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}
