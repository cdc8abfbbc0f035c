/**
 * RDKit's unfolded Morgan fingerprint ids with counts (what `GetMorganFingerprint(mol, radius)` and the Morgan
 * generator's sparse count fingerprint return: 32-bit ids, never folded), written from the algorithm's published
 * facts (RDKit's MorganGenerator.cpp and FingerprintUtil.cpp) with the defaults the SA score uses: connectivity
 * atom invariants with ring membership, bond types on, chirality off, redundant environments dropped.
 *
 * - An atom's radius-0 id hashes [atomic number, total degree, hydrogens (counted and as neighbour atoms), formal
 *   charge, delta mass, 1 if in a ring].
 * - Each round, an atom's new id is hash_combine(round, its id) followed by one (bond type, neighbour id) pair per
 *   bond, the pairs sorted. Its environment is the set of bonds within the round's radius.
 * - An environment seen before (same bond set, this round or an earlier one) adds no id, and its atom stops
 *   growing. Within a round, of the atoms sharing one new environment the smallest id is kept (RDKit sorts the
 *   round's (bonds, id, atom) tuples and keeps the first).
 */
import type { MolGraph } from './mol-graph.js';
import { hashCombine, hashIntegers, hashPair } from './rdkit-hash.js';

/** Morgan ids (uint32) and how many environments produced each. */
export type MorganCounts = Map<number, number>;

/** RDKit's connectivity invariants: each atom's radius-0 Morgan id. */
export function connectivityInvariants(graph: MolGraph): number[] {
  const n = graph.atoms.length;
  const degree = new Array<number>(n).fill(0);
  const hydrogenNeighbours = new Array<number>(n).fill(0);
  for (const { begin, end } of graph.bonds) {
    degree[begin] = (degree[begin] as number) + 1;
    degree[end] = (degree[end] as number) + 1;
    if (graph.atoms[end]?.z === 1) hydrogenNeighbours[begin] = (hydrogenNeighbours[begin] as number) + 1;
    if (graph.atoms[begin]?.z === 1) hydrogenNeighbours[end] = (hydrogenNeighbours[end] as number) + 1;
  }
  const inRing = new Array<boolean>(n).fill(false);
  for (const ring of graph.rings) for (const a of ring) inRing[a] = true;
  return graph.atoms.map((atom, i) => {
    const components = [
      atom.z,
      (degree[i] as number) + atom.hydrogens, // total degree: neighbours plus counted hydrogens
      atom.hydrogens + (hydrogenNeighbours[i] as number),
      atom.formalCharge, // a negative charge wraps to uint32, as in RDKit's vector<uint32_t>
      atom.deltaMass,
    ];
    if (inRing[i]) components.push(1);
    return hashIntegers(components);
  });
}

/** A set of bond indices, one bit per bond. */
type BondSet = Uint32Array;

/** 2^32: a (bond type, neighbour id) pair packed as type * 2^32 + id sorts as the pair does (both non-negative). */
const PACK = 2 ** 32;

/** The unfolded Morgan ids of `graph` up to `radius` (2 for ECFP4-like, as the SA score uses), with counts. */
export function morganCounts(graph: MolGraph, radius = 2): MorganCounts {
  const n = graph.atoms.length;
  const words = Math.max(1, Math.ceil(graph.bonds.length / 32));
  const neighbours: { bond: number; atom: number }[][] = Array.from({ length: n }, () => []);
  graph.bonds.forEach(({ begin, end }, bond) => {
    neighbours[begin]?.push({ bond, atom: end });
    neighbours[end]?.push({ bond, atom: begin });
  });
  // one word holds the bond set of a molecule of up to 32 bonds: then the word itself is the key
  const keyOf = words === 1 ? (env: BondSet) => env[0] as number : (env: BondSet) => env.join(',');

  const counts: MorganCounts = new Map();
  const add = (id: number) => counts.set(id, (counts.get(id) ?? 0) + 1);

  let current = connectivityInvariants(graph);
  for (const id of current) add(id);

  // the bonds within the last round's radius of each atom, and those being grown this round
  let reached: BondSet[] = Array.from({ length: n }, () => new Uint32Array(words));
  const growing: BondSet[] = Array.from({ length: n }, () => new Uint32Array(words));
  const dead = new Array<boolean>(n).fill(false);
  const seen = new Set<number | string>();

  for (let layer = 0; layer < radius; layer++) {
    const next = new Array<number>(n).fill(0);
    // per environment (bond set), the atom that keeps it: the smallest id, then the lowest index
    const kept = new Map<number | string, { id: number; atom: number; others: number[] }>();
    for (let a = 0; a < n; a++) {
      if (dead[a]) continue;
      const around = neighbours[a] as { bond: number; atom: number }[];
      if (around.length === 0) {
        dead[a] = true; // an isolated atom has no environment beyond itself
        continue;
      }
      const env = growing[a] as BondSet;
      const pairs = new Float64Array(around.length);
      around.forEach(({ bond, atom }, k) => {
        env[bond >>> 5] = ((env[bond >>> 5] as number) | (1 << (bond & 31))) >>> 0;
        const theirs = reached[atom] as BondSet;
        for (let w = 0; w < words; w++) env[w] = ((env[w] as number) | (theirs[w] as number)) >>> 0;
        pairs[k] = (graph.bonds[bond]?.type as number) * PACK + (current[atom] as number);
      });
      pairs.sort();
      let id = hashCombine(layer, current[a] as number);
      for (const pair of pairs) id = hashCombine(id, hashPair(Math.floor(pair / PACK), pair % PACK));
      next[a] = id;

      const key = keyOf(env);
      const holder = kept.get(key);
      if (!holder) kept.set(key, { id, atom: a, others: [] });
      else if (id < holder.id || (id === holder.id && a < holder.atom)) {
        holder.others.push(holder.atom);
        holder.id = id;
        holder.atom = a;
      } else holder.others.push(a);
    }
    for (const [key, holder] of kept) {
      for (const other of holder.others) dead[other] = true;
      if (seen.has(key)) dead[holder.atom] = true;
      else {
        seen.add(key);
        add(holder.id);
      }
    }
    current = next;
    reached = growing.map((env) => env.slice());
  }
  return counts;
}
