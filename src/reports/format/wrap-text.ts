/**
 * Text wrapped to a display width at spaces (a word wider than the width is split), for table
 * cells that carry the answer and for notes under a table: cut text loses what it was printed
 * for. Display widths as string-width counts them (a CJK character takes two columns). Pure.
 */
import stringWidth from 'string-width';

export function wrapText(text: string, width: number): string {
  if (width < 1) return text;
  return text.split('\n').map((line) => wrapLine(line, width).join('\n')).join('\n');
}

/** Words (which may hold spaces: `Last attempt,`) joined by spaces into lines of at most `width`. */
export function wrapWords(words: readonly string[], width: number): string {
  return wrapWordList(words, width).join('\n');
}

function wrapLine(line: string, width: number): string[] {
  return stringWidth(line) <= width ? [line] : wrapWordList(line.split(' '), width);
}

function wrapWordList(words: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    const joined = current === '' ? word : `${current} ${word}`;
    if (stringWidth(joined) <= width) {
      current = joined;
      continue;
    }
    if (current !== '') lines.push(current);
    current = '';
    for (const piece of splitWord(word, width)) {
      if (current !== '') lines.push(current);
      current = piece;
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}

function splitWord(word: string, width: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const ch of word) {
    if (piece !== '' && stringWidth(piece + ch) > width) {
      pieces.push(piece);
      piece = '';
    }
    piece += ch;
  }
  return piece === '' ? [] : [...pieces, piece];
}
