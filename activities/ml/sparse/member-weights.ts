/** One member's weights in tfjs-layers order: kernel [in, out], bias [out], for each dense layer. */
export type MemberWeights = { shape: number[]; values: Float32Array }[];
