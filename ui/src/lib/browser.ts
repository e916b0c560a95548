// Browser-side helpers: the clipboard and saving text as a file. Both work inside the Tauri
// webview without extra plugins.

/** Copies `text`; falls back to a hidden text area where the async clipboard API is missing. */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy is not available');
}

/** Offers `text` as a file download through a Blob link. */
export function saveTextFile(text: string, fileName: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some engines; a moment later is safe.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
