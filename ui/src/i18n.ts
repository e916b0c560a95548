// The UI's languages: i18next with the `zh-CN` and `en` catalogs in ./locales. The language is
// chosen from the saved preference, else from the system locale (`navigator.language`): any Chinese
// locale gives Simplified Chinese, anything else English. `changeLanguage` switches live, saves the
// choice and tells the shell, whose tray follows.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

import { savePreference, setUiLanguage, setWindowTitle, type CommandError } from './api';
import { en, type Catalog } from './locales/en';
import { zhCN } from './locales/zh-CN';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: Catalog };
  }
}

/** The language for a locale tag such as `zh-CN`, `zh-Hans-SG` or `en-US`. */
export function languageFromLocale(tag: string | undefined): Language {
  return tag?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** A saved preference if it names a language, else the system's. */
export function initialLanguage(saved: string | undefined): Language {
  return (LANGUAGES as readonly string[]).includes(saved ?? '') ? (saved as Language) : languageFromLocale(navigator.language);
}

void i18next.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: languageFromLocale(globalThis.navigator?.language),
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  // React escapes what it renders; i18next must not escape it a second time.
  interpolation: { escapeValue: false },
  // The catalogs are bundled, so initialisation finishes before the first render.
  initAsync: false,
});

export const i18n = i18next;

/** The language in use now. */
export function currentLanguage(): Language {
  return languageFromLocale(i18next.language);
}

/** Applies `language` to the UI, the page's `lang` and the tray; `save` also remembers it. */
export async function changeLanguage(language: Language, save = true): Promise<void> {
  await i18next.changeLanguage(language);
  document.documentElement.lang = language;
  if (save) await savePreference('language', language);
  // The chat window (`#chat`) has its own title.
  const title = i18next.t(window.location.hash === '#chat' ? 'chat.windowTitle' : 'app.title');
  document.title = title;
  setUiLanguage(language).catch((error: unknown) => console.warn('the tray could not switch language', error));
  // Outside the shell (a browser, the tests) there is no window to title.
  setWindowTitle(title).catch(() => undefined);
}

/** A failed command for the user: the kind's sentence in the UI's language, then the shell's own
 * message (which may be the Taiji site's own Chinese words), unless it says nothing more. */
export function describeError(error: CommandError): string {
  const sentence = i18next.t(`errors.${error.kind}`);
  const detail = error.message.trim();
  if (error.kind === 'upstream' && detail !== '') return detail;
  return detail === '' || detail === sentence ? sentence : `${sentence} ${detail}`;
}
