// A card: a section named by its heading (h2 on a page of cards, h3 under a page title).
import type { ReactNode } from 'react';

interface CardProps {
  /** The heading's id, which names the section for assistive technology. */
  id: string;
  title: ReactNode;
  level?: 2 | 3;
  /** Extra classes, e.g. `card-wide` (spans the grid) or `form` (stacked fields). */
  className?: string;
  /** Shown at the heading's right (a control or a note that belongs to the whole card). */
  aside?: ReactNode;
  children: ReactNode;
}

export function Card({ id, title, level = 2, className, aside, children }: CardProps) {
  const Heading = level === 2 ? 'h2' : 'h3';
  const heading = (
    <Heading id={id} className="card-heading">
      {title}
    </Heading>
  );
  return (
    <section className={className === undefined ? 'card' : `card ${className}`} aria-labelledby={id}>
      {aside === undefined ? (
        heading
      ) : (
        <div className="row spread">
          {heading}
          {aside}
        </div>
      )}
      {children}
    </section>
  );
}
