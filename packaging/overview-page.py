#!/usr/bin/env python3
"""Writes agent-hooks(7), the overview page, from the README's opening.

The opening is everything between the README's title and its first "##"
heading: its first paragraph becomes the NAME line, and all of it the
DESCRIPTION. Markdown code spans become bold, emphasis italic, and links
their text (an in-page link says it is in README.md, which the package
installs in /usr/share/doc/agent-hooks/). FILES (where the package puts
things) is written here; SEE ALSO lists the section 1 pages given on the
command line, i.e. the ones the build generated.

usage: overview-page.py README VERSION EPOCH OUT PAGE...
  PAGE: a page's file name such as phase-monitor.1.gz
"""
import datetime
import re
import sys


def opening(readme):
    """The paragraphs between the title and the first second-level heading."""
    lines = []
    for line in readme.splitlines():
        if line.startswith("## "):
            break
        if not line.startswith("# "):
            lines.append(line)
    text = "\n".join(lines).strip()
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def roff(text):
    """Markdown inline syntax to roff, with roff's special characters escaped.
    Code spans are set apart first: a `*` inside one is not emphasis."""
    out = []
    for i, part in enumerate(re.split(r"`([^`]+)`", text.replace("\\", "\\e"))):
        if i % 2:
            out.append("\\fB" + part.replace("-", "\\-") + "\\fR")
            continue
        part = re.sub(r"\*([^*]+)\*", r"\\fI\1\\fR", part)
        part = re.sub(r"\[([^\]]+)\]\(#[^)]*\)", r"\1 in README.md", part)
        part = re.sub(r"\[([^\]]+)\]\(([^)#]*/)?([^)/#]+)(#[^)]*)?\)", r"\1 (\3)", part)
        out.append(part)
    # A line that starts with a dot or a quote would be read as a request.
    return re.sub(r"^([.'])", r"\\&\1", "".join(out), flags=re.M)


def main():
    readme_path, version, epoch, out = sys.argv[1:5]
    # phase-monitor and its subcommands first, then the hooks.
    pages = sorted((p.removesuffix(".gz") for p in sys.argv[5:]),
                   key=lambda p: (not p.startswith("phase-monitor"), p.split(".")[0]))
    paragraphs = opening(open(readme_path, encoding="utf-8").read())
    if not paragraphs:
        sys.exit(f"overview-page.py: no opening paragraphs in {readme_path}")
    first = paragraphs[0].rstrip(".")
    name = first[0].lower() + first[1:]
    date = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).strftime("%B %Y")

    page = [
        '.TH AGENT\\-HOOKS 7 "%s" "agent\\-hooks %s" "agent\\-hooks"' % (date, version),
        ".SH NAME",
        "agent\\-hooks \\- " + roff(name),
        ".SH DESCRIPTION",
    ]
    for i, paragraph in enumerate(paragraphs):
        if i:
            page.append(".PP")
        page.append(roff(paragraph))
    page += [
        ".SH FILES",
        ".TP",
        ".I /usr/bin/phase\\-monitor",
        "the CLI: installs the hooks into a project's settings, runs and watches sessions",
        ".TP",
        ".I /usr/libexec/agent\\-hooks/",
        "the hook executables that Claude Code runs",
        ".TP",
        ".I /usr/share/agent\\-hooks/agent\\-session.sh",
        "the drop\\-in for the bash session helpers: source it",
        ".TP",
        ".I /usr/share/doc/agent\\-hooks/",
        "README.md, architecture.md, reference.md (every executable), config.md, guard.md",
        ".SH SEE ALSO",
    ]
    entries = []
    for p in pages:
        stem, section = p.rsplit(".", 1)
        entries.append(".BR %s (%s)" % (stem.replace("-", "\\-"), section))
    page.append(",\n".join(entries))
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(page) + "\n")


if __name__ == "__main__":
    main()
