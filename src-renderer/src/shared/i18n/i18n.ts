import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import dayjs from 'dayjs';
import 'dayjs/locale/de';
import localizedFormat from 'dayjs/plugin/localizedFormat';
import relativeTime from 'dayjs/plugin/relativeTime';
import { en } from './en';
import { de } from './de';

dayjs.extend(localizedFormat);
dayjs.extend(relativeTime);

export const languages = ['en', 'de'] as const;
export type Language = (typeof languages)[number];
const STORAGE_KEY = 'cas.language';

function storedLanguage(): Language {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'de') return saved;
  } catch {
    // Storage may be unavailable (privacy mode); fall back to the browser's language.
  }
  return typeof navigator !== 'undefined' && navigator.language?.toLowerCase().startsWith('de') ? 'de' : 'en';
}

export const i18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, de: { translation: de } },
  lng: storedLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
});
dayjs.locale(i18n.language);

/** Switches the language everywhere and remembers it for the next start. */
export function setLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Not remembered, but still switched.
  }
  dayjs.locale(language);
  void i18n.changeLanguage(language);
  document.documentElement.lang = language;
}

/**
 * Validation messages come from the shared schemas (the server's words, in English); the German
 * dashboard translates the common ones and shows the rest as they are.
 */
const germanMessages: Array<[RegExp, string]> = [
  [/^Required$/, 'Pflichtfeld'],
  [/^At least (\d+) characters$/, 'Mindestens $1 Zeichen'],
  [/^At most (\d+) characters$/, 'Höchstens $1 Zeichen'],
  [/^At least (\S+)$/, 'Mindestens $1'],
  [/^At most (\S+)$/, 'Höchstens $1'],
  [/^At most (\S+) %$/, 'Höchstens $1 %'],
  [/^At least (\S+) %$/, 'Mindestens $1 %'],
  [/^Whole number$/, 'Ganze Zahl'],
  [/^Whole seconds$/, 'Ganze Sekunden'],
  [/^Zero or more$/, 'Null oder mehr'],
  [/^Between (\S+) and (\S+)$/, 'Zwischen $1 und $2'],
  [/^Whole number, between (\S+) and (\S+)$/, 'Ganze Zahl zwischen $1 und $2'],
  [/^Expected a date \(2030-12-31\) or an ISO 8601 date-time$/, 'Datum (2030-12-31) oder Datum mit Uhrzeit erwartet'],
  [/^Not a known IANA time zone, e\.g\. Europe\/Berlin$/, 'Keine bekannte IANA-Zeitzone, z. B. Europe/Berlin'],
  [/^Not a valid e-mail address$/, 'Keine gültige E-Mail-Adresse'],
  [/^Letters, digits and \. _ @ - only$/, 'Nur Buchstaben, Ziffern und . _ @ -'],
  [/^Admins and observers sign in with a password$/, 'Administratoren und Beobachter melden sich mit Passwort an'],
  [/^Lower-case letters, digits, "-" and "_", starting with a letter or digit$/, 'Kleinbuchstaben, Ziffern, „-“ und „_“, beginnend mit Buchstabe oder Ziffer'],
  [/^A URL path starting with "\/"$/, 'Ein URL-Pfad, der mit „/“ beginnt'],
  [/^An http\(s\) URL or an uploaded logo$/, 'Eine http(s)-URL oder ein hochgeladenes Logo'],
  [/^An http:\/\/ or https:\/\/ URL$/, 'Eine http://- oder https://-URL'],
  // The public base URL (src-shared/schemas/links.ts, settings-service)
  [/^An http:\/\/ or https:\/\/ address, e\.g\. (\S+)$/, 'Eine http://- oder https://-Adresse, z. B. $1'],
  [/^No user name or password in the address$/, 'Kein Benutzername und kein Passwort in der Adresse'],
  [/^Only scheme, host and port: nothing after the port but "\/"$/, 'Nur Schema, Host und Port: nach dem Port nichts außer „/“'],
  [/^0\.0\.0\.0 and :: are listen addresses, not reachable ones: .*$/, '0.0.0.0 und :: sind Lauschadressen, keine erreichbaren: die LAN-Adresse oder den Namen dieses Rechners verwenden'],
  [/^A loopback address \(127\.0\.0\.1, ::1, localhost\) reaches only this machine: .*$/, 'Eine Loopback-Adresse (127.0.0.1, ::1, localhost) erreicht nur diesen Rechner: seine LAN-Adresse oder seinen Namen verwenden oder Loopback-Links bewusst erlauben'],
  [/^"(.*)" is not an IP address or CIDR network$/, '„$1“ ist keine IP-Adresse und kein CIDR-Netz'],
  [/^Expected an ISO 8601 date-time$/, 'Datum und Uhrzeit erwartet'],
  [/^Choose at least one scope$/, 'Mindestens einen Bereich wählen'],
  [/^Wrong username or password$/, 'Benutzername oder Passwort falsch'],
  [/^Username "(.*)" is taken$/, 'Benutzername „$1“ ist vergeben'],
  [/^Another account already uses this token$/, 'Ein anderes Konto nutzt dieses Token bereits'],
  [/^Your role may only read$/, 'Ihre Rolle darf nur lesen'],
  [/^Sign-in required$/, 'Anmeldung erforderlich'],
];

export function translateMessage(message: string, language = i18n.language): string {
  if (language !== 'de') return message;
  const text = message.replace(/^[\w.]+: /, '');
  for (const [pattern, german] of germanMessages) if (pattern.test(text)) return text.replace(pattern, german);
  return text;
}

/**
 * The words for a refusal the API names by code (`own_account`, `channel_number_taken`, …), with
 * the error's details as parameters; undefined for codes these texts do not know.
 */
export function codedErrorText(code: string, details: Record<string, unknown> | undefined): string | undefined {
  if (!Object.hasOwn(en.errorCodes, code)) return undefined;
  return i18n.t(`errorCodes.${code as keyof typeof en.errorCodes}`, details ?? {});
}

/** A server message without the "field: " prefix the API adds. */
export function fieldMessage(message: string): string {
  return translateMessage(message.replace(/^[\w.]+: /, ''));
}
