"""Numbers and quantities in the reader's language, for the addon's
messages: "1 jour", "9,3 jours", "2 days".  Plain Python (babel's CLDR
plural rules); the caller gives the translated words and formats the
number with the language's separators."""

from decimal import Decimal

from babel import Locale


def is_one(locale, value, digits=0):
    """Whether ``value`` written with ``digits`` decimals takes the singular
    in ``locale`` (a babel ``Locale`` or a code such as "fr_FR"): CLDR's
    "one" category, so that French says "1,5 jour" and "0 jour", English
    "1 day" but "1.0 days" and "0 days"."""
    if not isinstance(locale, Locale):
        locale = Locale.parse(locale)
    written = Decimal(f"{abs(value):.{digits}f}")
    return locale.plural_form(written) == "one"


def quantity(locale, value, one, other, format_number, digits=0):
    """``one`` or ``other`` (each with a ``%(count)s`` placeholder) filled
    with ``value`` formatted by ``format_number(value, digits)``."""
    template = one if is_one(locale, value, digits) else other
    return template % {"count": format_number(value, digits)}
