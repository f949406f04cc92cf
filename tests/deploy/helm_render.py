#!/usr/bin/python3
"""Renders deploy/helm/healthscore with a small subset of Helm's templates.

Debian 12 has no helm binary, so the deploy_manifests test renders the chart
with this instead. It is a subset check, not Helm: it knows only what the
chart uses, and refuses anything else with the template's name and line:

  text, {{ }} with {{- / -}} trimming, {{/* comments */}}
  {{ if PIPELINE }} ... {{ else }} ... {{ end }}, {{ range PIPELINE }} ... {{ end }}
  {{ define "name" }} ... {{ end }} (in _helpers.tpl), {{ include "name" ARG }}
  terms: .Values.a.b, .Release.Name, .Release.Namespace, .Chart.Name,
         .Chart.Version, .Chart.AppVersion, . and $ (the root), "strings",
         integers, true, false
  functions: include, toYaml, nindent, indent, quote, default, not,
             .Files.Get "path" (relative to the chart)

Usage: helm_render.py CHART_DIR [RELEASE]  (prints the rendered YAML)
"""
import os
import re
import shlex
import sys

import yaml


class TemplateError(Exception):
    pass


ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.S)


def tokenize(text, name):
    """-> list of ("text", s) and ("action", s, line)."""
    tokens, pos = [], 0
    for m in ACTION.finditer(text):
        before = text[pos:m.start()]
        if m.group(1):
            before = before.rstrip()
        tokens.append(["text", before])
        tokens.append(["action", m.group(2), text.count("\n", 0, m.start()) + 1,
                       bool(m.group(3))])
        pos = m.end()
    tokens.append(["text", text[pos:]])
    # A trailing -}} trims the whitespace after it.
    for i, t in enumerate(tokens):
        if t[0] == "action" and t[3] and i + 1 < len(tokens):
            tokens[i + 1][1] = tokens[i + 1][1].lstrip()
    return tokens


def parse(tokens, name, defines):
    """-> a node list; {{ define }} bodies go into defines."""
    stack = [("root", [], None)]
    for t in tokens:
        if t[0] == "text":
            if t[1]:
                stack[-1][1].append(("text", t[1]))
            continue
        body, line = t[1], t[2]
        where = "%s:%d" % (name, line)
        if body.startswith("/*"):
            continue
        word = body.split(None, 1)[0] if body else ""
        rest = body[len(word):].strip()
        if word in ("if", "range", "define"):
            stack.append((word, [], (rest, where)))
        elif word == "else":
            kind, nodes, arg = stack[-1]
            if kind != "if" or rest:
                raise TemplateError("%s: only a plain {{ else }} inside an if is supported" % where)
            stack[-1] = ("else", [], (arg, nodes))
        elif word == "end":
            if len(stack) == 1:
                raise TemplateError("%s: {{ end }} without an opening action" % where)
            kind, nodes, arg = stack.pop()
            if kind == "define":
                defines[arg[0].strip('"')] = nodes
            elif kind == "if":
                stack[-1][1].append(("if", arg, nodes, []))
            elif kind == "else":
                (cond, then) = arg
                stack[-1][1].append(("if", cond, then, nodes))
            else:
                stack[-1][1].append(("range", arg, nodes))
        elif word in ("with", "template", "block", "tpl") or ":=" in body:
            raise TemplateError("%s: {{ %s }} is outside the supported subset" % (where, body))
        else:
            stack[-1][1].append(("expr", (body, where)))
    if len(stack) != 1:
        raise TemplateError("%s: {{ %s }} is never closed" % (name, stack[-1][0]))
    return stack[0][1]


class Renderer:
    def __init__(self, chart_dir, values, release):
        self.chart_dir = chart_dir
        self.defines = {}
        with open(os.path.join(chart_dir, "Chart.yaml"), encoding="utf-8") as fh:
            chart = yaml.safe_load(fh)
        self.root = {
            "Values": values,
            "Release": {"Name": release, "Namespace": "default"},
            "Chart": {"Name": chart["name"], "Version": chart["version"],
                      "AppVersion": chart.get("appVersion", "")},
        }

    def term(self, word, dot, where):
        if word == "$":
            return self.root
        if word == ".":
            return dot
        if word.startswith("$."):
            word, dot = word[1:], self.root
        if word.startswith("."):
            value = dot
            for part in word[1:].split("."):
                if not isinstance(value, dict) or part not in value:
                    raise TemplateError("%s: %s: no field %s" % (where, word, part))
                value = value[part]
            return value
        if word.startswith('"'):
            return shlex.split(word)[0]
        if re.fullmatch(r"-?\d+", word):
            return int(word)
        if word in ("true", "false"):
            return word == "true"
        raise TemplateError("%s: %s is outside the supported subset" % (where, word))

    def command(self, words, dot, piped, where):
        fn, args = words[0], words[1:]
        values = [self.term(a, dot, where) for a in args]
        if piped is not None:
            values.append(piped[0])
        if fn == ".Files.Get":
            path = os.path.join(self.chart_dir, values[0])
            if not os.path.isfile(path):
                raise TemplateError("%s: .Files.Get %s: no such file in the chart" % (where, values[0]))
            with open(path, encoding="utf-8") as fh:
                return fh.read()
        if fn == "include":
            if values[0] not in self.defines:
                raise TemplateError("%s: include %s: not defined" % (where, values[0]))
            return self.render_nodes(self.defines[values[0]], values[1])
        if fn == "toYaml":
            if values[0] in (None, {}, []):
                return ""
            return yaml.safe_dump(values[0], default_flow_style=False, sort_keys=False).rstrip("\n")
        if fn in ("nindent", "indent"):
            pad = " " * values[0]
            text = "\n".join(pad + line if line else line for line in str(values[1]).split("\n"))
            return "\n" + text if fn == "nindent" else text
        if fn == "quote":
            return '"%s"' % str(values[0]).replace("\\", "\\\\").replace('"', '\\"')
        if fn == "default":
            return values[1] if values[1] not in (None, "", 0, False, [], {}) else values[0]
        if fn == "not":
            return not values[0]
        if len(words) == 1 and piped is None:
            return self.term(fn, dot, where)
        raise TemplateError("%s: function %s is outside the supported subset" % (where, fn))

    def pipeline(self, arg, dot):
        text, where = arg
        result = None
        for part in text.split("|"):
            words = shlex.split(part.strip(), posix=False)
            if not words:
                raise TemplateError("%s: empty command in {{ %s }}" % (where, text))
            result = (self.command(words, dot, result, where),)
        return result[0]

    def render_nodes(self, nodes, dot):
        out = []
        for node in nodes:
            kind = node[0]
            if kind == "text":
                out.append(node[1])
            elif kind == "expr":
                value = self.pipeline(node[1], dot)
                out.append("" if value is None else
                           ("true" if value is True else "false" if value is False else str(value)))
            elif kind == "if":
                value = self.pipeline(node[1], dot)
                out.append(self.render_nodes(node[2] if value not in (None, "", 0, False, [], {})
                                             else node[3], dot))
            elif kind == "range":
                items = self.pipeline(node[1], dot) or []
                for item in (items.values() if isinstance(items, dict) else items):
                    out.append(self.render_nodes(node[2], item))
        return "".join(out)


def render_chart(chart_dir, release="healthscore", values=None):
    """-> the chart's objects (a list of dicts), rendered with values.yaml."""
    if values is None:
        with open(os.path.join(chart_dir, "values.yaml"), encoding="utf-8") as fh:
            values = yaml.safe_load(fh)
    r = Renderer(chart_dir, values, release)
    tdir = os.path.join(chart_dir, "templates")
    names = sorted(os.listdir(tdir))
    parsed = {}
    for name in names:
        with open(os.path.join(tdir, name), encoding="utf-8") as fh:
            parsed[name] = parse(tokenize(fh.read(), name), name, r.defines)
    docs = []
    for name in names:
        if name.startswith("_") or not name.endswith(".yaml"):
            continue
        text = r.render_nodes(parsed[name], r.root)
        try:
            docs.extend(d for d in yaml.safe_load_all(text) if d)
        except yaml.YAMLError as e:
            raise TemplateError("%s renders to YAML that does not parse: %s\n%s" % (name, e, text))
    return docs


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    try:
        objs = render_chart(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "healthscore")
    except TemplateError as e:
        sys.exit("helm_render: %s" % e)
    print(yaml.safe_dump_all(objs, default_flow_style=False, sort_keys=False), end="")
