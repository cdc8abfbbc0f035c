/**
 * Reads the SA score's fragment contributions, RDKit's Contrib/SA_Score/fpscores.pkl.gz once gunzipped: a Python
 * pickle (protocol 0, text) of a list of lists `[score, id1, id2, ...]`, each id an unfolded Morgan id. sascorer.py
 * turns it into {id: score}, a later list overriding an earlier one for the same id; so does this.
 *
 * Hand-written reader for exactly the opcodes that file uses (MARK, LIST, APPEND, PUT, INT, FLOAT, STOP) plus LONG
 * (how Python 3 writes a large int in protocol 0): anything else is refused with the opcode and its offset, so a
 * different file fails loudly instead of being misread. No general unpickling, nothing is executed.
 */

/** Morgan id -> its fragment contribution. */
export type FragmentContributions = ReadonlyMap<number, number>;

type PickleValue = number | PickleValue[];

export function readFragmentContributions(pickle: Uint8Array): FragmentContributions {
  const top = readProtocol0(pickle);
  if (!Array.isArray(top)) throw new Error('fragment scores: the pickle does not hold a list');
  const table = new Map<number, number>();
  for (const entry of top) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'number')
      throw new Error('fragment scores: expected lists of [score, id, ...]');
    const score = entry[0];
    for (let k = 1; k < entry.length; k++) {
      const id = entry[k];
      if (typeof id !== 'number') throw new Error('fragment scores: a fragment id is not a number');
      table.set(id, score);
    }
  }
  return table;
}

/** The MARK opcode's place on the stack. */
const MARK: unique symbol = Symbol('mark');

const NEWLINE = 0x0a;

function readProtocol0(bytes: Uint8Array): PickleValue {
  const stack: (PickleValue | typeof MARK)[] = [];
  let pos = 0;
  /** The opcode's argument: the text up to the next newline (ASCII), and where it ends. */
  const argumentEnd = (): number => {
    const end = bytes.indexOf(NEWLINE, pos);
    if (end < 0) throw new Error(`fragment scores: unterminated argument at offset ${pos}`);
    return end;
  };
  const text = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));
  /** A decimal integer read digit by digit (the ids are 705k of the file's 712k numbers). */
  const integer = (from: number, to: number, at: number): number => {
    let k = from;
    const negative = bytes[k] === 0x2d; // '-'
    if (negative) k++;
    if (k === to) throw new Error(`fragment scores: empty integer at offset ${at}`);
    let v = 0;
    for (; k < to; k++) {
      const digit = (bytes[k] as number) - 0x30;
      if (digit < 0 || digit > 9)
        throw new Error(`fragment scores: bad integer "${text(from, to)}" at offset ${at}`);
      v = v * 10 + digit;
    }
    if (!Number.isSafeInteger(v)) throw new Error(`fragment scores: integer too large at offset ${at}`);
    return negative ? -v : v;
  };
  while (pos < bytes.length) {
    const at = pos;
    const op = bytes[pos++];
    switch (op) {
      case 0x28: // '(' MARK
        stack.push(MARK);
        break;
      case 0x6c: {
        // 'l' LIST: the items since the last mark
        const mark = stack.lastIndexOf(MARK);
        if (mark < 0) throw new Error(`fragment scores: LIST without MARK at offset ${at}`);
        const items = stack.splice(mark) as PickleValue[];
        items.shift();
        stack.push(items);
        break;
      }
      case 0x61: {
        // 'a' APPEND
        const item = stack.pop();
        const list = stack[stack.length - 1];
        if (item === MARK || item === undefined || !Array.isArray(list))
          throw new Error(`fragment scores: APPEND without a list at offset ${at}`);
        list.push(item);
        break;
      }
      case 0x70: // 'p' PUT: memo index, not needed (the file never reads the memo back)
        pos = argumentEnd() + 1;
        break;
      case 0x49: {
        // 'I' INT (also "I00"/"I01" for False/True, read as 0/1)
        const end = argumentEnd();
        stack.push(integer(pos, end, at));
        pos = end + 1;
        break;
      }
      case 0x4c: {
        // 'L' LONG: digits followed by 'L'
        const end = argumentEnd();
        stack.push(integer(pos, bytes[end - 1] === 0x4c ? end - 1 : end, at));
        pos = end + 1;
        break;
      }
      case 0x46: {
        // 'F' FLOAT, as Python's repr wrote it
        const end = argumentEnd();
        const arg = text(pos, end);
        const v = Number(arg);
        if (arg.trim() === '' || !Number.isFinite(v))
          throw new Error(`fragment scores: bad float "${arg}" at offset ${at}`);
        stack.push(v);
        pos = end + 1;
        break;
      }
      case 0x2e: {
        // '.' STOP
        const value = stack.pop();
        if (value === undefined || value === MARK) throw new Error('fragment scores: empty pickle');
        return value;
      }
      default:
        throw new Error(
          `fragment scores: pickle opcode ${JSON.stringify(String.fromCharCode(op as number))} at offset ${at} is not supported`,
        );
    }
  }
  throw new Error('fragment scores: pickle ends without STOP');
}
