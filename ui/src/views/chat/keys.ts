// Enter sends, Shift+Enter breaks the line, and an Enter that confirms an input method's
// composition (Chinese pinyin, Japanese kana…) does neither: it only ends the composition.
import { useRef, type CompositionEvent, type KeyboardEvent } from 'react';

/** The key code browsers report for keys an input method handles. */
const IME_KEY_CODE = 229;

export interface SendKeys {
  onKeyDown: (event: KeyboardEvent<HTMLTextAreaElement>) => void;
  onCompositionStart: (event: CompositionEvent<HTMLTextAreaElement>) => void;
  onCompositionEnd: (event: CompositionEvent<HTMLTextAreaElement>) => void;
}

/** Handlers for a text area where Enter calls `send`. WebKit fires the Enter that ends a
 * composition after `compositionend` with `isComposing` false, so the composition is also tracked
 * here, and the key code 229 is honoured. */
export function useSendKeys(send: () => void, onEscape?: () => void): SendKeys {
  const composing = useRef(false);
  return {
    onCompositionStart: () => {
      composing.current = true;
    },
    onCompositionEnd: () => {
      // The Enter that ended it arrives right after; it must still count as composing.
      setTimeout(() => {
        composing.current = false;
      }, 0);
    },
    onKeyDown: (event) => {
      if (event.key === 'Escape' && onEscape !== undefined) {
        event.preventDefault();
        onEscape();
        return;
      }
      if (event.key !== 'Enter' || event.shiftKey || event.altKey) return;
      if (event.nativeEvent.isComposing || composing.current || event.keyCode === IME_KEY_CODE) return;
      event.preventDefault();
      send();
    },
  };
}
