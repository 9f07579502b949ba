// Originals web page, its languages: German and English. Loaded first, right after /i18n.js, which the server answers
// in the request's language (the switch's cookie `originals_lang`, else Accept-Language) as
// window.ORIGINALS_I18N = {lang, messages}. The texts in the code are English; `t()` looks each up in `messages`
// (extracted by `make messages` into ledger/locales/de/LC_MESSAGES/web.po) and falls back to the English.
// The API for the other scripts (app.js, consortium.js, console.js):
//   LANG                         'de' or 'en'
//   t(msgid, values?)            the text in the page's language, {name} placeholders filled from values
//   tn(singular, plural, n, values?)  the form for n ({count} is n, formatted)
//   formatWhen(unixSeconds)      a chain time in Europe/Berlin, in the language's format, always with the zone
//   formatNumber(n)              a number with the language's grouping and decimal sign
// It also translates the HTML shell (data-t="…" texts, data-t-<attribute>="…" attributes), sets <html lang> and
// draws the language switch, whose choice is remembered in a cookie (a year) so that the server answers in it too.
'use strict';

(() => {
  const catalog = window.ORIGINALS_I18N || { lang: 'en', messages: {} };
  const LANGUAGES = { de: 'Deutsch', en: 'English' };
  const lang = catalog.lang in LANGUAGES ? catalog.lang : 'en';
  const messages = catalog.messages || {};
  const locale = lang === 'de' ? 'de-DE' : 'en-US';
  const ZONE = 'Europe/Berlin';
  const COOKIE = 'originals_lang';

  function fill(text, values) {
    if (!values) return text;
    return text.replace(/\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g, (whole, name) => (name in values ? String(values[name] ?? '') : whole));
  }

  function t(msgid, values) {
    const found = messages[msgid];
    return fill(typeof found === 'string' && found ? found : msgid, values);
  }

  const numbers = new Intl.NumberFormat(locale);
  function formatNumber(n) { return Number.isFinite(Number(n)) ? numbers.format(Number(n)) : String(n ?? ''); }

  function tn(singular, plural, n, values) {
    const forms = messages[singular];
    const one = Number(n) === 1;
    const text = Array.isArray(forms) && forms.length === 2 ? forms[one ? 0 : 1] : (one ? singular : plural);
    return fill(text, { count: formatNumber(n), ...values });
  }

  // The date as the CLDR's medium date and short time (as ledger.i18n.format_when on the server), then the zone's
  // short name: MEZ/MESZ in German; English has no short name for Central European Time, so CET/CEST from the offset.
  const stamp = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: ZONE });
  const zoneName = new Intl.DateTimeFormat(locale, { timeZone: ZONE, timeZoneName: 'short' });
  function zone(date) {
    const part = zoneName.formatToParts(date).find((p) => p.type === 'timeZoneName');
    const name = part ? part.value : '';
    if (name === 'GMT+1' || name === 'UTC+1') return 'CET';
    if (name === 'GMT+2' || name === 'UTC+2') return 'CEST';
    return name;
  }
  function formatWhen(unixSeconds) {
    if (!Number(unixSeconds) || !Number.isFinite(Number(unixSeconds))) return '—'; // no time (0 is the chain's "not set")
    const date = new Date(Number(unixSeconds) * 1000);
    return `${stamp.format(date)} ${zone(date)}`;
  }

  // The shell's texts: <span data-t="Verify">Verify</span>, <nav data-t-aria-label="Main">.
  function translateShell(root) {
    document.documentElement.lang = lang;
    root.querySelectorAll('[data-t]').forEach((element) => { element.textContent = t(element.dataset.t); });
    root.querySelectorAll('*').forEach((element) => {
      for (const attribute of Array.from(element.attributes)) {
        if (attribute.name.startsWith('data-t-')) element.setAttribute(attribute.name.slice(7), t(attribute.value));
      }
    });
  }

  // The switch: one button per language, the current one pressed; a choice is a cookie for a year, then a reload,
  // so that the page, its catalog and the API's answers (reasons, problems) all come in the chosen language.
  function choose(code) {
    const secure = location.protocol === 'https:' ? '; Secure' : '';
    document.cookie = `${COOKIE}=${code}; path=/; max-age=${365 * 24 * 3600}; SameSite=Lax${secure}`;
    location.reload();
  }
  function drawSwitch() {
    const area = document.getElementById('language');
    if (!area) return;
    area.replaceChildren(...Object.entries(LANGUAGES).map(([code, name]) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary';
      button.lang = code;
      button.dataset.lang = code;
      button.textContent = name;
      button.setAttribute('aria-pressed', String(code === lang));
      button.addEventListener('click', () => { if (code !== lang) choose(code); });
      return button;
    }));
  }

  Object.assign(window, { LANG: lang, t, tn, formatWhen, formatNumber });
  // Deferred scripts run once the document is parsed: the shell is there to translate before anything is drawn.
  const ready = () => { translateShell(document); drawSwitch(); };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
  else ready();
})();
