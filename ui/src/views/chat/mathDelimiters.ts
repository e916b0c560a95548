// Models often write LaTeX between \( \) and \[ \] instead of the dollar signs remark-math reads;
// these are rewritten to dollars before rendering, except inside code, which stays as written.
// remark-math shows `$$…$$` as display math only when the dollars stand on lines of their own (on
// one line with the formula it is inline math), so `\[…\]` and a line holding only `$$…$$` become
// such a block.

const CODE = /(```[\s\S]*?(?:```|$)|`[^`\n]*`)/;

/** A display formula as a math block: its dollars on lines of their own. */
function block(math: string): string {
  return `\n$$\n${math.trim()}\n$$\n`;
}

/** `text` with `\[…\]` and lone-line `$$…$$` as `$$` blocks and `\(…\)` as `$…$`, outside code. */
export function normalizeMath(text: string): string {
  if (!text.includes('\\[') && !text.includes('\\(') && !text.includes('$$')) return text;
  return text
    .split(CODE)
    .map((part, index) =>
      // split() with a capturing group puts the code parts at the odd indexes.
      index % 2 === 1
        ? part
        : part
            .replace(/\\\[([\s\S]+?)\\\]/g, (_, math: string) => block(math))
            .replace(/^[ \t]*\$\$([^\n]+?)\$\$[ \t]*$/gm, (_, math: string) => block(math))
            .replace(/\\\(([\s\S]+?)\\\)/g, (_, math: string) => `$${math}$`),
    )
    .join('');
}
