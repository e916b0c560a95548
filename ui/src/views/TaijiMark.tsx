// The product mark, the same drawing as icons/src/app-icon.svg without its tile; a rim keeps the
// light half visible on light backgrounds.
interface TaijiMarkProps {
  size?: number;
}

export function TaijiMark({ size = 28 }: TaijiMarkProps) {
  return (
    <svg className="taiji-mark" width={size} height={size} viewBox="0 0 64 64" aria-hidden="true">
      <circle cx="32" cy="32" r="30" className="taiji-mark-light taiji-mark-rim" />
      <path d="M32 2 A30 30 0 0 1 32 62 A15 15 0 0 1 32 32 A15 15 0 0 0 32 2 Z" className="taiji-mark-dark" />
      <circle cx="32" cy="17" r="5.5" className="taiji-mark-dark" />
      <circle cx="32" cy="47" r="5.5" className="taiji-mark-light" />
    </svg>
  );
}
