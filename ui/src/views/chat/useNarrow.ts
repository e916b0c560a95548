// Whether an element is narrower than a width, kept current as it resizes (the chat's list lies
// over the transcript below that width instead of beside it, like the CSS container query).
import { useLayoutEffect, useState, type RefObject } from 'react';

export function useNarrow(element: RefObject<HTMLElement | null>, below: number): boolean {
  const [narrow, setNarrow] = useState(false);
  useLayoutEffect(() => {
    const target = element.current;
    if (target === null) return undefined;
    // A width of 0 means no layout (tests): wide.
    const measure = () => setNarrow(target.clientWidth > 0 && target.clientWidth <= below);
    measure();
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(target);
    return () => observer.disconnect();
  }, [element, below]);
  return narrow;
}
