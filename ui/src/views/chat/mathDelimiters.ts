// Models often write LaTeX between \( \) and \[ \] instead of the dollar signs remark-math reads;
// these are rewritten to dollars before rendering, except inside code, which stays as written.

const CODE = /(```[\s\S]*?(?:```|$)|`[^`\n]*`)/;

/** `text` with `\[…\]` as `$$…$$` and `\(…\)` as `$…$` outside code spans and blocks. */
export function normalizeMath(text: string): string {
  if (!text.includes('\\[') && !text.includes('\\(')) return text;
  return text
    .split(CODE)
    .map((part, index) =>
      // split() with a capturing group puts the code parts at the odd indexes.
      index % 2 === 1
        ? part
        : part
            .replace(/\\\[([\s\S]+?)\\\]/g, (_, math: string) => `$$${math}$$`)
            .replace(/\\\(([\s\S]+?)\\\)/g, (_, math: string) => `$${math}$`),
    )
    .join('');
}
