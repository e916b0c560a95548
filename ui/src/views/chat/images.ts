// Images attached to a message: read as data URLs and checked against the protocol's limits (at
// most five, 5 MB each decoded) and the model's ability to see them, before anything is sent.
import type { ModelInfo } from '../../api';
import type { ImageAttachment } from '../../api/chatTypes';

export const MAX_IMAGES = 5;
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** Why an image was not attached, for the catalog's `chat.images.*` sentences. */
export type ImageRefusal =
  | { reason: 'textOnly'; model: string }
  | { reason: 'tooMany'; max: number }
  | { reason: 'tooLarge'; name: string; maxMb: number }
  | { reason: 'notImage'; name: string }
  | { reason: 'unreadable'; name: string };

export interface ImageCheck {
  accepted: File[];
  refusals: ImageRefusal[];
}

/** Which of `files` may join the `already` attached images for `model` (null: unknown model). */
export function checkImages(files: readonly File[], already: number, model: ModelInfo | null): ImageCheck {
  if (files.length === 0) return { accepted: [], refusals: [] };
  if (model !== null && !model.multimodal) return { accepted: [], refusals: [{ reason: 'textOnly', model: model.label }] };
  const accepted: File[] = [];
  const refusals: ImageRefusal[] = [];
  let tooMany = false;
  for (const file of files) {
    if (!file.type.startsWith('image/')) refusals.push({ reason: 'notImage', name: file.name });
    else if (file.size > MAX_IMAGE_BYTES) refusals.push({ reason: 'tooLarge', name: file.name, maxMb: MAX_IMAGE_BYTES / 1024 / 1024 });
    else if (already + accepted.length >= MAX_IMAGES) tooMany = true;
    else accepted.push(file);
  }
  if (tooMany) refusals.push({ reason: 'tooMany', max: MAX_IMAGES });
  return { accepted, refusals };
}

/** Why a message with these images cannot go to `model`, or `null` when it can. */
export function sendRefusal(images: readonly ImageAttachment[], model: ModelInfo | null): ImageRefusal | null {
  if (images.length === 0) return null;
  if (model !== null && !model.multimodal) return { reason: 'textOnly', model: model.label };
  if (images.length > MAX_IMAGES) return { reason: 'tooMany', max: MAX_IMAGES };
  return null;
}

/** Reads an image file as an attachment (`data:<mime>;base64,…`). */
export function readImage(file: File): Promise<ImageAttachment> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      if (typeof reader.result === 'string') resolve({ name: file.name || 'image', mime: file.type, data_url: reader.result });
      else reject(new Error('not a data URL'));
    };
    reader.onerror = () => reject(reader.error ?? new Error('unreadable'));
    reader.readAsDataURL(file);
  });
}

/** The image files among a paste's or a drop's items. */
export function filesOf(list: FileList | null | undefined): File[] {
  return list === null || list === undefined ? [] : Array.from(list);
}
