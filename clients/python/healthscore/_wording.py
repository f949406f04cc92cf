"""Driver sentences from a rule's templates: a port of the server's
formatter (server/plugin/wording.cc) so a compact ScoreBatch reply without
`sentences` decodes to the sentences the server would have sent.

Templates read "CSAT fell {observed} ({prev:percent} to {now:percent})":
{observed} and {threshold} in the rule's unit, the rule's argument names,
an optional ":format" (number, count, score, percent, points, days, months,
hours, usd, signed, abs, flag, ratio, plural:<noun>); "{{" and "}}" escape.
"""

import math
import re

_UNIT_FORMATS = {
    "percent": "percent", "points": "points", "days": "days",
    "months": "months", "hours": "hours", "usd": "usd", "nps": "signed",
    "net_percent": "signed", "flag": "flag", "ratio": "ratio",
}
_FORMATS = {"number": "number", "count": "number", "score": "number",
            "percent": "percent", "points": "points", "days": "days",
            "months": "months", "hours": "hours", "usd": "usd",
            "signed": "signed", "abs": "abs", "flag": "flag", "ratio": "ratio"}
_NOUNS = {"points": ("point", "points"), "days": ("day", "days"),
          "months": ("month", "months"), "hours": ("hour", "hours")}
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


class TemplateError(ValueError):
    pass


def format_of_unit(unit):
    return _UNIT_FORMATS.get(unit, "number")


def _plain(value, decimals):
    """At most `decimals` decimals, trailing zeros dropped, never "-0"."""
    if abs(value) >= 1e15:
        return "%.3g" % value
    s = "%.*f" % (decimals, value)
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _grouped(value):
    if abs(value) >= 1e15:
        return _plain(value, 0)
    s = "%.0f" % value
    out = []
    for i, ch in enumerate(s):
        out.append(ch)
        left = len(s) - i - 1
        if left > 0 and left % 3 == 0:
            out.append(",")
    return "".join(out)


def format_number(value, fmt="number", noun=""):
    """`value` as the server writes it in a sentence ("n/a" for NaN)."""
    if value is None or math.isnan(value):
        return "n/a"
    if fmt == "number":
        return _plain(value, 1)
    if fmt == "percent":
        return _plain(value, 1) + "%"
    if fmt in _NOUNS:
        one, many = _NOUNS[fmt]
        return _plain(value, 1) + " " + (one if value == 1 else many)
    if fmt == "usd":
        sign = "-$" if value < 0 and abs(value) >= 0.5 else "$"
        return sign + _grouped(abs(value))
    if fmt == "signed":
        s = _plain(value, 1)
        return "+" + s if value > 0 and s != "0" else s
    if fmt == "abs":
        return _plain(abs(value), 1)
    if fmt == "flag":
        return "yes" if value != 0 else "no"
    if fmt == "ratio":
        return _plain(value, 2)
    if fmt == "plural":
        return _plain(value, 1) + " " + noun + ("" if value == 1 else "s")
    raise TemplateError("unknown format %r" % fmt)


class Wording:
    """A compiled template. Slots: 0 {observed}, 1 {threshold}, 2.. args."""

    def __init__(self, source="", pieces=()):
        self.source = source
        self.pieces = list(pieces)  # (literal, slot or -1, format, noun)

    @property
    def empty(self):
        return not self.source

    @classmethod
    def compile(cls, text, args, unit, has_facts=True):
        pieces = []
        literal = []
        i = 0
        n = len(text)
        while i < n:
            c = text[i]
            if c == "}":
                if i + 1 < n and text[i + 1] == "}":
                    i += 1
                literal.append("}")
                i += 1
                continue
            if c != "{":
                literal.append(c)
                i += 1
                continue
            if i + 1 < n and text[i + 1] == "{":
                literal.append("{")
                i += 2
                continue
            close = text.find("}", i)
            if close < 0:
                raise TemplateError("unclosed '{' at offset %d" % i)
            inside = text[i + 1:close]
            name, colon, fmt = inside.partition(":")
            slot = -1
            if has_facts and name == "observed":
                slot = 0
            elif has_facts and name == "threshold":
                slot = 1
            elif name in args:
                slot = 2 + list(args).index(name)
            if slot < 0:
                raise TemplateError("unknown placeholder {%s}" % inside)
            noun = ""
            if not colon or not fmt:
                form = format_of_unit(unit) if slot < 2 else "number"
            elif fmt.startswith("plural:"):
                form, noun = "plural", fmt[7:]
                if not _NAME.match(noun):
                    raise TemplateError("plural noun %r is not a lowercase word" % noun)
            elif fmt in _FORMATS:
                form = _FORMATS[fmt]
            else:
                raise TemplateError("unknown format %r in {%s}" % (fmt, inside))
            pieces.append(("".join(literal), slot, form, noun))
            literal = []
            i = close + 1
        if literal:
            pieces.append(("".join(literal), -1, "number", ""))
        return cls(text, pieces)

    def render(self, observed, threshold, args):
        out = []
        for literal, slot, form, noun in self.pieces:
            out.append(literal)
            if slot < 0:
                continue
            value = observed if slot == 0 else threshold if slot == 1 else args[slot - 2]
            out.append(format_number(value, form, noun))
        return "".join(out)


class RuleWording:
    """A rule's wordings by sign, and the server's choice between them."""

    def __init__(self, rule_id, unit, raises="", lowers="", text="", args=()):
        self.ok = True
        self.raises = self._compile(raises, args, unit)
        self.lowers = self._compile(lowers, args, unit)
        self.text = self._compile(text, args, unit)
        self.fallback = Wording.compile(rule_id.replace("_", " ") + " (observed {observed})",
                                        (), unit, True)

    def _compile(self, source, args, unit):
        if not source:
            return Wording()
        try:
            return Wording.compile(source, args, unit, True)
        except TemplateError:
            self.ok = False
            return Wording()

    def for_impact(self, impact):
        if impact > 0 and not self.raises.empty:
            return self.raises
        if impact < 0 and not self.lowers.empty:
            return self.lowers
        if not self.text.empty:
            return self.text
        if impact == 0 and self.raises.empty != self.lowers.empty:
            return self.lowers if self.raises.empty else self.raises
        return self.fallback
