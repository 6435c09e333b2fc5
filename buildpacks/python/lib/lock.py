"""Prints the packages a lockfile pins for production as pip requirements, one per line.

    python3 lock.py Pipfile.lock|poetry.lock|uv.lock

pip then installs exactly those (--no-deps): the lockfile is already the whole closure, so the
build needs neither pipenv, poetry nor uv, none of which the registries this server reaches serve.
Development groups are left out, as `pipenv install --deploy`, `poetry sync --only main` and
`uv sync --no-default-groups` leave them out.
"""
import json
import os
import sys


def pipfile(path):
    with open(path, encoding="utf-8") as f:
        lock = json.load(f)
    for name, spec in sorted(lock.get("default", {}).items()):
        if "version" not in spec:
            sys.exit(f"Pipfile.lock: {name} is not pinned to a version (a path, git or editable requirement), which this buildpack cannot install")
        marker = spec.get("markers")
        yield f"{name}{spec['version']}" + (f" ; {marker}" if marker else "")


def toml(path):
    try:
        import tomllib
    except ImportError:
        sys.exit(f"{os.path.basename(path)} needs Python 3.11 or later to be read (tomllib)")
    with open(path, "rb") as f:
        return tomllib.load(f)


def poetry(path):
    for package in toml(path).get("package", []):
        # poetry 2 names the groups of each package; poetry 1 wrote category = "main" | "dev".
        groups = package.get("groups") or [package.get("category", "main")]
        if "main" not in groups:
            continue
        markers = package.get("markers")
        marker = markers.get("main") if isinstance(markers, dict) else markers
        yield f"{package['name']}=={package['version']}" + (f" ; {marker}" if marker else "")


def uv(path):
    packages = toml(path).get("package", [])
    by_name = {}
    for package in packages:
        by_name.setdefault(package["name"], []).append(package)

    def resolve(dependency):
        candidates = by_name.get(dependency["name"], [])
        if "version" in dependency:
            candidates = [p for p in candidates if p.get("version") == dependency["version"]] or candidates
        return candidates[0] if candidates else None

    # The app itself (a virtual or editable project at the root) is where production starts;
    # its dev-dependencies are the groups uv leaves out.
    roots = [p for p in packages if p.get("source", {}).get("virtual") == "." or p.get("source", {}).get("editable") == "."]
    # A package's marker is the "or" of the markers on the edges that reach it (one edge without
    # a marker makes it unconditional); the conditions of its parents are not carried down.
    markers = {}
    pending = [d for root in roots for d in root.get("dependencies", [])]
    while pending:
        dependency = pending.pop()
        package = resolve(dependency)
        if package is None or package in roots:
            continue
        key = (package["name"], package.get("version"))
        marker = dependency.get("marker")
        if key not in markers:
            markers[key] = marker
            pending.extend(package.get("dependencies", []))
        elif markers[key] is not None:
            markers[key] = None if marker is None else f"({markers[key]}) or ({marker})"
    for (name, version), marker in sorted(markers.items()):
        yield f"{name}=={version}" + (f" ; {marker}" if marker else "")


readers = {"Pipfile.lock": pipfile, "poetry.lock": poetry, "uv.lock": uv}
lockfile = sys.argv[1]
for line in readers[os.path.basename(lockfile)](lockfile):
    print(line)
