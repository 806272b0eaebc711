// Normalizes decoded token pieces so that masks can look at their characters. SentencePiece's
// "▁" and byte-level BPE's "Ġ"/"Ċ" mark whitespace; byte-fallback pieces such as "<0x30>" stand
// for one byte and must not be read as the digits "0x30".

const BYTE_FALLBACK = /^<0x([0-9A-Fa-f]{2})>$/;
const SPACE_MARKERS = /[▁ĠĊ]/g;

export function tokenText(piece: string): string {
  const byte = BYTE_FALLBACK.exec(piece);
  if (byte) return String.fromCharCode(parseInt(byte[1], 16));
  return piece.replace(SPACE_MARKERS, ' ');
}
