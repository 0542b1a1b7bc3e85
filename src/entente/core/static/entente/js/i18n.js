// Translations of the browser modules, the Django way. Django's JavaScript catalogue (the
// `javascript-catalog` URL, a classic <script> that base.html and the public links' base load
// before the modules) puts gettext, ngettext and interpolate on window, in the page's language.
// French is the source language: the strings are written in French, and without the catalogue
// the modules simply speak French (with French plural rules: 0 and 1 are singular).
//
//   import { gettext, interpolate, ngettext } from "../entente/js/i18n.js";
//   gettext("Envoyé.")
//   interpolate(ngettext("%(count)s fichier", "%(count)s fichiers", n), { count: n }, true)
//
// `make messages` (djangojs domain) finds the strings by these names: call them with literal
// strings, then translate the new entries of locale/en/LC_MESSAGES/djangojs.po. Placeholders
// are %(name)s (with `true`, as above) or %s (with an array): interpolate knows no other.

export const gettext = window.gettext ?? ((msgid) => msgid);

export const ngettext =
  window.ngettext ?? ((singular, plural, count) => (count > 1 ? plural : singular));

export const interpolate =
  window.interpolate ??
  ((format, values, named) =>
    named
      ? format.replace(/%\(\w+\)s/g, (match) => String(values[match.slice(2, -2)]))
      : format.replace(/%s/g, () => String(values.shift())));
