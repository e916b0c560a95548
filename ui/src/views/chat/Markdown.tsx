// An answer rendered as Markdown: GFM (tables, task lists, strikethrough, autolinks), math through
// KaTeX, code blocks highlighted (highlight.js' common languages) with a copy button. Raw HTML in
// an answer is shown as text, never run. Links open in the system browser, not in the app's window.
import 'katex/dist/katex.min.css';

import { memo, type ComponentPropsWithoutRef, type MouseEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import ReactMarkdown, { type Components } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import rehypeKatex from 'rehype-katex';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';

import { openExternal } from '../../api/opener';
import { CopyButton } from '../../components/CopyButton';

interface HastNode {
  type: string;
  value?: string;
  tagName?: string;
  properties?: { className?: unknown };
  children?: HastNode[];
}

/** The plain text of a syntax tree node (a code block's source, without highlighting). */
function textOf(node: HastNode | undefined): string {
  if (node === undefined) return '';
  if (node.type === 'text') return node.value ?? '';
  return (node.children ?? []).map(textOf).join('');
}

/** The `language-xyz` class of a code element, as `xyz`. */
function languageOf(node: HastNode | undefined): string | null {
  const classes = node?.properties?.className;
  if (!Array.isArray(classes)) return null;
  const language = classes.find((name): name is string => typeof name === 'string' && name.startsWith('language-'));
  return language === undefined ? null : language.slice('language-'.length);
}

function CodeBlock({ node, children }: { node?: HastNode | undefined; children?: ReactNode }) {
  const { t } = useTranslation();
  const code = node?.children?.find((child) => child.tagName === 'code');
  const language = languageOf(code);
  return (
    <div className="chat-code">
      <div className="chat-code-bar">
        <span className="chat-code-language">{language ?? t('chat.code')}</span>
        <CopyButton value={textOf(code).replace(/\n$/, '')} label={t('chat.copyCode')} className="chat-icon-button" />
      </div>
      <pre>{children}</pre>
    </div>
  );
}

function isWebLink(href: string | undefined): href is string {
  return href !== undefined && /^https?:\/\//i.test(href);
}

function Link({ href, children, title }: ComponentPropsWithoutRef<'a'>) {
  const open = (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    if (isWebLink(href)) openExternal(href).catch((error: unknown) => console.warn('could not open a link', error));
  };
  return (
    <a href={href} title={title ?? href} onClick={open} rel="noreferrer">
      {children}
    </a>
  );
}

const COMPONENTS: Components = {
  pre: ({ node, children }) => <CodeBlock node={node as HastNode | undefined}>{children}</CodeBlock>,
  a: ({ href, title, children }) => (
    <Link href={href} title={title}>
      {children}
    </Link>
  ),
  table: ({ children }) => (
    <div className="chat-table-wrap">
      <table>{children}</table>
    </div>
  ),
};

const REMARK = [remarkGfm, remarkMath];
const REHYPE = [rehypeKatex, [rehypeHighlight, { detect: false }]] as NonNullable<Parameters<typeof ReactMarkdown>[0]['rehypePlugins']>;

/** Renders `text` as Markdown; the same text never renders twice. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <div className="chat-markdown">
      <ReactMarkdown remarkPlugins={REMARK} rehypePlugins={REHYPE} components={COMPONENTS}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
