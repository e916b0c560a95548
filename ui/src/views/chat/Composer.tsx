// The message box: Enter sends, Shift+Enter breaks the line (never during an input method's
// composition); images attach from a file picker, a paste or a drop, within the limits shown
// (five, 5 MB each) and only for a model that sees images. While a reply streams, Send becomes Stop.
import { useEffect, useLayoutEffect, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';

import type { ModelInfo } from '../../api';
import type { ImageAttachment } from '../../api/chatTypes';
import { describeFailure } from './errors';
import { checkImages, filesOf, MAX_IMAGE_BYTES, MAX_IMAGES, readImage, sendRefusal, type ImageRefusal } from './images';
import { useSendKeys } from './keys';

interface ComposerProps {
  /** Changes when another conversation opens: the box takes the focus then. */
  focusKey: string | null;
  /** The conversation's model; `null` while unknown (no catalog). */
  model: ModelInfo | null;
  state: 'idle' | 'streaming' | 'stopping';
  /** Sends; on a rejection the text and images come back into the box. */
  onSend: (content: string, images: ImageAttachment[]) => Promise<void>;
  onStop: () => void;
  /** Nothing can be sent (e.g. no model to send to). */
  disabled?: boolean;
}

export function Composer({ focusKey, model, state, onSend, onStop, disabled = false }: ComposerProps) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [images, setImages] = useState<ImageAttachment[]>([]);
  const [problems, setProblems] = useState<string[]>([]);
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const vision = model === null || model.multimodal;

  useEffect(() => {
    box.current?.focus();
  }, [focusKey]);

  // The box grows with its text (up to the CSS max-height), and shrinks back after sending.
  useLayoutEffect(() => {
    const element = box.current;
    if (element === null) return;
    element.style.height = 'auto';
    if (element.scrollHeight > 0) element.style.height = `${element.scrollHeight + 2}px`;
  }, [text]);

  const explain = (refusal: ImageRefusal): string => {
    switch (refusal.reason) {
      case 'textOnly':
        return t('chat.images.textOnly', { model: refusal.model });
      case 'tooMany':
        return t('chat.images.tooMany', { max: refusal.max });
      case 'tooLarge':
        return t('chat.images.tooLarge', { name: refusal.name, max: refusal.maxMb });
      case 'notImage':
        return t('chat.images.notImage', { name: refusal.name });
      case 'unreadable':
        return t('chat.images.unreadable', { name: refusal.name });
    }
  };

  const attach = (files: File[]) => {
    if (files.length === 0) return;
    const { accepted, refusals } = checkImages(files, images.length, model);
    setProblems(refusals.map(explain));
    void Promise.all(
      accepted.map((file) =>
        readImage(file).then(
          (image) => image,
          () => {
            setProblems((shown) => [...shown, explain({ reason: 'unreadable', name: file.name })]);
            return null;
          },
        ),
      ),
    ).then((read) => {
      const added = read.filter((image): image is ImageAttachment => image !== null);
      setImages((current) => [...current, ...added].slice(0, MAX_IMAGES));
    });
  };

  const refusal = sendRefusal(images, model);
  const empty = text.trim() === '' && images.length === 0;
  const canSend = state === 'idle' && !disabled && !empty && refusal === null;

  const send = () => {
    if (state !== 'idle' || disabled || empty) return;
    if (refusal !== null) {
      setProblems([explain(refusal)]);
      return;
    }
    const content = text;
    const sent = images;
    setText('');
    setImages([]);
    setProblems([]);
    box.current?.focus();
    onSend(content, sent).catch((error: unknown) => {
      setText((typed) => (typed === '' ? content : typed));
      setImages((current) => (current.length === 0 ? sent : current));
      setProblems([describeFailure(error)]);
    });
  };

  const keys = useSendKeys(send);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    attach(filesOf(event.dataTransfer.files));
  };

  return (
    <div
      className={dragging ? 'chat-composer dragging' : 'chat-composer'}
      onDragOver={(event) => {
        if (event.dataTransfer.types.includes('Files')) {
          event.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      {problems.length > 0 && (
        <ul className="chat-problems" role="alert">
          {problems.map((problem, index) => (
            <li key={index}>{problem}</li>
          ))}
        </ul>
      )}
      {images.length > 0 && (
        <ul className="chat-attachments" aria-label={t('chat.images.attached')}>
          {images.map((image, index) => (
            <li key={index} className="chat-attachment">
              <img src={image.data_url} alt={image.name} title={image.name} />
              <button
                type="button"
                className="chat-attachment-remove"
                aria-label={t('chat.images.remove', { name: image.name })}
                onClick={() => setImages((current) => current.filter((_, at) => at !== index))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <textarea
        ref={box}
        className="chat-input"
        rows={2}
        aria-label={t('chat.composer.label')}
        placeholder={t('chat.composer.placeholder')}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onPaste={(event) => {
          const files = filesOf(event.clipboardData.files);
          if (files.length > 0) {
            event.preventDefault();
            attach(files);
          }
        }}
        {...keys}
      />
      <div className="chat-composer-bar">
        <button
          type="button"
          className="chat-icon-button"
          disabled={!vision || images.length >= MAX_IMAGES}
          title={vision ? t('chat.images.limits', { max: MAX_IMAGES, mb: MAX_IMAGE_BYTES / 1024 / 1024 }) : t('chat.images.textOnly', { model: model?.label ?? '' })}
          onClick={() => picker.current?.click()}
        >
          {t('chat.images.attach')}
        </button>
        <input
          ref={picker}
          type="file"
          accept="image/*"
          multiple
          hidden
          data-testid="chat-file-input"
          onChange={(event) => {
            attach(filesOf(event.target.files));
            event.target.value = '';
          }}
        />
        <span className="chat-hint muted">
          {vision
            ? t('chat.images.count', { count: images.length, max: MAX_IMAGES, mb: MAX_IMAGE_BYTES / 1024 / 1024 })
            : t('chat.images.none')}
        </span>
        <span className="chat-hint muted chat-keys-hint">{t('chat.composer.keys')}</span>
        {state === 'idle' ? (
          <button type="button" className="button small chat-send" disabled={!canSend} onClick={send}>
            {t('chat.composer.send')}
          </button>
        ) : (
          <button type="button" className="button small danger chat-stop" disabled={state === 'stopping'} onClick={onStop}>
            {state === 'stopping' ? t('chat.composer.stopping') : t('chat.composer.stop')}
          </button>
        )}
      </div>
    </div>
  );
}
