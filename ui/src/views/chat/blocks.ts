// A streaming answer is rendered block by block (blank lines outside code and math end a block),
// so each new frame re-renders only the block still growing; the blocks before it keep their
// rendering.

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;

/** `text` cut at blank lines that are not inside a code fence or a `$$` math block. */
export function splitBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  let math = false;
  for (const line of text.split('\n')) {
    const opener = FENCE.exec(line)?.[1];
    if (fence === null && !math && line.trim() === '') {
      if (current.length > 0) blocks.push(current.join('\n'));
      current = [];
      continue;
    }
    current.push(line);
    if (opener !== undefined) {
      if (fence === null) fence = opener;
      else if (opener.startsWith(fence)) fence = null;
    } else if (fence === null && line.trim() === '$$') {
      math = !math;
    }
  }
  if (current.length > 0) blocks.push(current.join('\n'));
  return blocks;
}
