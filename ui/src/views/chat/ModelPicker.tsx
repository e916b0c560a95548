// The model picker: a button naming the conversation's model that opens a searchable list with
// each model's label, price in points per message, and Vision / Thinking badges.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';

import type { ModelInfo } from '../../api';
import { formatNumber } from '../../lib/format';

interface ModelPickerProps {
  models: readonly ModelInfo[];
  /** The chosen model id; `null` when none could be chosen. */
  value: string | null;
  onChange: (model: ModelInfo) => void;
  disabled?: boolean;
}

function matches(model: ModelInfo, needle: string): boolean {
  return needle === '' || [model.id, model.label, model.group].some((field) => field.toLowerCase().includes(needle));
}

export function ModelPrice({ model }: { model: ModelInfo }) {
  const { t } = useTranslation();
  if (model.price_points === null) return <span className="chat-price">{model.price_text || t('common.none')}</span>;
  return (
    <span className="chat-price" title={model.price_text}>
      {t('chat.model.price', { points: formatNumber(model.price_points) })}
    </span>
  );
}

export function ModelBadges({ model }: { model: ModelInfo }) {
  const { t } = useTranslation();
  return (
    <>
      {model.multimodal && <span className="chat-badge vision">{t('models.vision')}</span>}
      {model.thinking && <span className="chat-badge thinking">{t('models.thinking')}</span>}
    </>
  );
}

export function ModelPicker({ models, value, onChange, disabled = false }: ModelPickerProps) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const root = useRef<HTMLDivElement>(null);
  const current = models.find((model) => model.id === value) ?? null;

  const shown = useMemo(() => {
    const needle = query.trim().toLowerCase();
    return models.filter((model) => matches(model, needle));
  }, [models, query]);

  // A click anywhere else closes the list.
  useEffect(() => {
    if (!open) return undefined;
    const close = (event: MouseEvent) => {
      if (root.current !== null && !root.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  const choose = (model: ModelInfo) => {
    setOpen(false);
    setQuery('');
    if (model.id !== value) onChange(model);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      setOpen(false);
    } else if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((index) => Math.min(index + 1, shown.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((index) => Math.max(index - 1, 0));
    } else if (event.key === 'Enter' && !event.nativeEvent.isComposing) {
      event.preventDefault();
      const model = shown[active];
      if (model !== undefined) choose(model);
    }
  };

  return (
    <div className="chat-model-picker" ref={root}>
      <button
        type="button"
        className="chat-model-button"
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-label={t('chat.model.choose')}
        title={current?.id ?? value ?? undefined}
        disabled={disabled}
        onClick={() => {
          // The list opens on the model in use.
          setActive(Math.max(0, shown.findIndex((model) => model.id === value)));
          setOpen((was) => !was);
        }}
      >
        <span className="chat-model-name">{current?.label ?? value ?? t('chat.model.none')}</span>
        {current !== null && <ModelBadges model={current} />}
        <span aria-hidden="true" className="chat-caret" />
      </button>
      {open && (
        <div className="chat-model-popover" onKeyDown={onKeyDown}>
          <input
            className="input chat-model-search"
            type="search"
            autoFocus
            placeholder={t('models.search')}
            aria-label={t('models.search')}
            value={query}
            onChange={(event) => {
              setQuery(event.target.value);
              setActive(0);
            }}
          />
          <ul className="chat-model-list" role="listbox" aria-label={t('chat.model.list')}>
            {shown.length === 0 && <li className="chat-model-empty muted">{t('chat.model.noMatch')}</li>}
            {shown.map((model, index) => (
              <li
                key={model.id}
                role="option"
                aria-selected={model.id === value}
                className={index === active ? 'chat-model-option active' : 'chat-model-option'}
                onMouseEnter={() => setActive(index)}
                onClick={() => choose(model)}
              >
                <span className="chat-model-option-main">
                  <span className="chat-model-label">{model.label}</span>
                  <span className="chat-model-id muted">{model.id}</span>
                </span>
                <span className="chat-model-option-side">
                  <ModelBadges model={model} />
                  <ModelPrice model={model} />
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
