/**
 * The container both surrogates save to: an 8-byte magic tag, the JSON header's length (uint32 LE), the JSON
 * header, then typed arrays back to back (little-endian), starting at a multiple of `align` bytes so they can be
 * viewed in place on load.
 */
type Packable = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

export function packModel(magic: string, header: unknown, arrays: Packable[], align: number): Uint8Array {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
    throw new Error('model files need a little-endian machine');
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((12 + json.length) / align) * align;
  const bytes = new Uint8Array(dataStart + arrays.reduce((s, a) => s + a.byteLength, 0));
  bytes.set(new TextEncoder().encode(magic));
  new DataView(bytes.buffer).setUint32(8, json.length, true);
  bytes.set(json, 12);
  let offset = dataStart;
  for (const a of arrays) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += a.byteLength;
  }
  return bytes;
}

/** The header and the bytes after it (from the aligned data start) of a file packModel wrote. */
export function unpackModel(
  magic: string,
  bytes: Uint8Array,
  align: number,
): { header: unknown; data: Uint8Array } {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== magic)
    throw new Error(`not a ${magic} model file`);
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  const header: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jsonLength)));
  return { header, data: bytes.subarray(Math.ceil((12 + jsonLength) / align) * align) };
}
