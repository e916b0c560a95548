// An inline error message; renders nothing without an error.
interface ErrorNoteProps {
  message: string | null | undefined;
  id?: string;
}

export function ErrorNote({ message, id }: ErrorNoteProps) {
  if (!message) return null;
  return (
    <p className="error-note" role="alert" id={id}>
      {message}
    </p>
  );
}
