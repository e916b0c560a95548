// Stands in for a section that a later release fills in.
import { SECTIONS, type Section } from './Sidebar';

interface PlaceholderViewProps {
  section: Exclude<Section, 'status'>;
}

export function PlaceholderView({ section }: PlaceholderViewProps) {
  const label = SECTIONS.find((entry) => entry.id === section)?.label ?? section;
  return (
    <section className="placeholder">
      <h2>{label}</h2>
      <p className="muted">This part of Taiji Gateway arrives in an upcoming version.</p>
    </section>
  );
}
