"""``./hangar env export``: a platform's pools, connections and variables in the form of
config/environment.yaml, every secret a ``${NAME}`` reference (never a value).

Pure: :mod:`hangar_plugins.environment.export_from_db` reads the metadata DB into a
:class:`RunningEnvironment` and renders it here. A field keeps the reference file's
``${...}`` template when that template resolves to the running value (so an export of an
unchanged platform reads like the file it was set up from); a secret without such a template
gets an invented name (``HANGAR_CONN_<ID>_PASSWORD``, ``HANGAR_VAR_<KEY>``). Invented names
depend only on the data, so export -> init elsewhere -> export is a fixed point.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import yaml

from hangar_common.platform.environment_spec import REFERENCE

# Prefixes of the names invented for values without a reference (not Hangar settings).
CONNECTION_PREFIX = "HANGAR_CONN_"
VARIABLE_PREFIX = "HANGAR_VAR_"
POOL_PREFIX = "HANGAR_POOL_"

HEADER = (
    "# Pools, connections and variables exported by `./hangar env export`, in\n"
    "# config/environment.yaml's form. Secrets are ${NAME} references, never values.\n"
)

# The connection fields environment.yaml has, in its order (extra comes last).
CONNECTION_FIELDS = ("conn_type", "description", "host", "port", "schema", "login", "password")


@dataclass(frozen=True, kw_only=True)
class RunningPool:
    name: str
    slots: int
    description: str = ""
    include_deferred: bool = False


@dataclass(frozen=True, kw_only=True)
class RunningConnection:
    conn_id: str
    conn_type: str | None
    description: str | None = None
    host: str | None = None
    port: int | None = None
    schema: str | None = None
    login: str | None = None
    password: str | None = None
    extra: Any = None  # the decoded JSON of the extra field (a dict when well formed)


@dataclass(frozen=True, kw_only=True)
class RunningVariable:
    key: str
    value: str
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class RunningEnvironment:
    pools: list[RunningPool]
    connections: list[RunningConnection]
    variables: list[RunningVariable]


@dataclass(frozen=True, kw_only=True)
class ExportedEnvironment:
    text: str  # the YAML document
    needs: list[str]  # variables to set where it is applied (names only, sorted)
    notes: list[str]  # what the file cannot hold, one line each


def is_sensitive(name: str, sensitive_fields: Collection[str]) -> bool:
    """Airflow's masking rule: ``name``, lower-cased with non-word runs as ``_``, contains one
    of ``sensitive_fields`` (``[core] sensitive_var_conn_names`` plus Airflow's defaults)."""
    normalized = re.sub(r"\W+", "_", name.strip().lower())
    return any(field in normalized for field in sensitive_fields)


def reference_names(document: Any) -> set[str]:
    """Every ``${NAME}`` a reference document mentions."""
    if isinstance(document, dict):
        return {name for value in document.values() for name in reference_names(value)}
    if isinstance(document, list):
        return {name for value in document for name in reference_names(value)}
    if isinstance(document, str):
        return {match.group(1) for match in REFERENCE.finditer(document)}
    return set()


def resolve(template: str, env: Mapping[str, str]) -> str | None:
    """``template`` with its references substituted as init does; None when one is unset."""
    unresolved = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unresolved
        name, has_default, default = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if has_default is not None:
            return default or ""
        unresolved = True
        return ""

    text = REFERENCE.sub(replace, template)
    return None if unresolved else text


def identifier(text: str) -> str:
    """``text`` as part of a variable name: upper case, other characters as ``_``."""
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_") or "X"


# A field left out of the document (an unset connection field).
_OMIT = object()


@dataclass(kw_only=True)
class _Exporter:
    env: Mapping[str, str]
    sensitive_fields: Collection[str]
    reserved: set[str]  # names the reference file uses: never invented twice
    needs: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def invent(self, base: str) -> str:
        name, number = base, 1
        while name in self.reserved:
            number += 1
            name = f"{base}_{number}"
        self.reserved.add(name)
        return name

    def value(
        self,
        *,
        where: str,
        value: Any,
        text: str | None,
        template: Any,
        secret: bool,
        name: str,
    ) -> Any:
        """What the file says for one field.

        ``text``: the running value as the template's substitution would produce it (None when
        no string can stand for it); ``name``: the variable invented when one is needed.
        """
        templated = isinstance(template, str) and REFERENCE.search(template) is not None
        kept: str | None = None
        if templated and text is not None and resolve(str(template), self.env) == text:
            kept = str(template)
        if secret and value not in (None, ""):
            whole = REFERENCE.fullmatch(kept) if kept is not None else None
            if whole is not None:
                self.needs.add(whole.group(1))
                # A non-empty default is a value: keep the name only.
                return f"${{{whole.group(1)}}}" if whole.group(3) else kept
            invented = self.invent(name)
            self.needs.add(invented)
            if templated:
                self.notes.append(
                    f"{where}: the running value is not what {template} gives here: "
                    f"written as ${{{invented}}}"
                )
            elif not isinstance(value, str):
                self.notes.append(
                    f"{where}: a secret {type(value).__name__}, written as ${{{invented}}}: "
                    "set it to its JSON text"
                )
            return f"${{{invented}}}"
        if kept is not None:
            return kept
        if isinstance(value, str) and REFERENCE.search(value):
            # init would substitute it: the literal cannot be written as it is.
            invented = self.invent(name)
            self.needs.add(invented)
            self.notes.append(
                f"{where}: its value holds a ${{NAME}} pattern that init would substitute: "
                f"written as ${{{invented}}}, set it to the value"
            )
            return f"${{{invented}}}"
        return _OMIT if value is None and text == "" else value

    def pool(self, pool: RunningPool, template: Mapping[str, Any]) -> dict[str, Any] | None:
        where = f"pools.{pool.name}"
        if pool.slots < 0:
            self.notes.append(f"{where}: unlimited slots ({pool.slots}) cannot be written: skipped")
            return None
        if pool.include_deferred:
            self.notes.append(f"{where}: include_deferred is not in environment.yaml: dropped")
        base = f"{POOL_PREFIX}{identifier(pool.name)}"  # only for ${...} literals
        out: dict[str, Any] = {
            "slots": self.value(
                where=f"{where}.slots",
                value=pool.slots,
                text=str(pool.slots),
                template=template.get("slots"),
                secret=False,
                name=f"{base}_SLOTS",
            )
        }
        if pool.description:
            out["description"] = self.value(
                where=f"{where}.description",
                value=pool.description,
                text=pool.description,
                template=template.get("description"),
                secret=False,
                name=f"{base}_DESCRIPTION",
            )
        return out

    def connection(
        self, conn: RunningConnection, template: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        where = f"connections.{conn.conn_id}"
        if not conn.conn_type:
            self.notes.append(f"{where}: no conn_type, which environment.yaml requires: skipped")
            return None
        base = f"{CONNECTION_PREFIX}{identifier(conn.conn_id)}"
        out: dict[str, Any] = {}
        for attr in CONNECTION_FIELDS:
            value = getattr(conn, attr)
            # init reads a blank field as unset: writing "" would not survive a round trip.
            value = None if value == "" else value
            secret = attr == "password" or (attr == "host" and _has_password(value))
            written = self.value(
                where=f"{where}.{attr}",
                value=value,
                text="" if value is None else str(value),
                template=template.get(attr),
                secret=secret,
                name=f"{base}_{attr.upper()}",
            )
            if written is not _OMIT:
                out[attr] = written
        extra = conn.extra
        if extra not in (None, {}):
            if not isinstance(extra, dict):
                self.notes.append(f"{where}.extra: not a JSON object: skipped")
            else:
                shape = template.get("extra")
                out["extra"] = self.extra(
                    where=f"{where}.extra",
                    extra=extra,
                    template=shape if isinstance(shape, dict) else {},
                    name=f"{base}_EXTRA",
                )
        return out

    def extra(
        self, *, where: str, extra: Mapping[str, Any], template: Mapping[str, Any], name: str
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in extra.items():
            secret = is_sensitive(str(key), self.sensitive_fields)
            shape = template.get(key)
            if isinstance(value, dict) and not (secret and value):
                out[key] = self.extra(
                    where=f"{where}.{key}",
                    extra=value,
                    template=shape if isinstance(shape, dict) else {},
                    name=f"{name}_{identifier(str(key))}",
                )
                continue
            out[key] = self.value(
                where=f"{where}.{key}",
                value=value,
                text=value if isinstance(value, str) else None,
                template=shape,
                secret=secret,
                name=f"{name}_{identifier(str(key))}",
            )
        return out

    def variable(self, variable: RunningVariable, template: Any) -> Any:
        where = f"variables.{variable.key}"
        if variable.description:
            self.notes.append(f"{where}: its description is not in environment.yaml: dropped")
        return self.value(
            where=where,
            value=variable.value,
            text=variable.value,
            template=template,
            secret=is_sensitive(variable.key, self.sensitive_fields),
            name=f"{VARIABLE_PREFIX}{identifier(variable.key)}",
        )


def _has_password(host: Any) -> bool:
    """A URL host with credentials in it (``https://user:secret@...``) is a secret too."""
    if not isinstance(host, str) or "@" not in host:
        return False
    try:
        return bool(urlsplit(host).password)
    except ValueError:
        return False


def _section(document: Mapping[str, Any], name: str) -> dict[str, Any]:
    section = document.get(name)
    return section if isinstance(section, dict) else {}


def _ordered(names: Iterable[str], reference: Mapping[str, Any]) -> list[str]:
    """The reference file's order first (an export diffs cleanly against it), then by name."""
    present = set(names)
    first = [name for name in reference if name in present]
    return first + sorted(present - set(first))


class _Dumper(yaml.SafeDumper):
    """Block style; multi-line strings as ``|`` blocks (readable, and they load back the same)."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def export_environment(
    running: RunningEnvironment,
    *,
    reference: Mapping[str, Any],
    env: Mapping[str, str],
    sensitive_fields: Collection[str],
) -> ExportedEnvironment:
    """Render ``running`` as environment.yaml.

    ``reference``: the parsed (unresolved) environment file the platform applies, for the
    ``${...}`` templates worth keeping; ``env``: what its references resolve against.
    """
    exporter = _Exporter(
        env=env, sensitive_fields=sensitive_fields, reserved=reference_names(reference)
    )
    pools_ref = _section(reference, "pools")
    conns_ref = _section(reference, "connections")
    vars_ref = _section(reference, "variables")
    pools = {pool.name: pool for pool in running.pools}
    connections = {conn.conn_id: conn for conn in running.connections}
    variables = {variable.key: variable for variable in running.variables}

    document: dict[str, dict[str, Any]] = {"pools": {}, "connections": {}, "variables": {}}
    for name in _ordered(pools, pools_ref):
        rendered = exporter.pool(pools[name], _section(pools_ref, name))
        if rendered is not None:
            document["pools"][name] = rendered
    for conn_id in _ordered(connections, conns_ref):
        conn = exporter.connection(connections[conn_id], _section(conns_ref, conn_id))
        if conn is not None:
            document["connections"][conn_id] = conn
    for key in _ordered(variables, vars_ref):
        document["variables"][key] = exporter.variable(variables[key], vars_ref.get(key))

    body = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1000,
    )
    needs = sorted(exporter.needs)
    header = HEADER
    if needs:
        lines = textwrap.wrap("Set where it is applied: " + ", ".join(needs), width=94)
        header += "".join(f"# {line}\n" for line in lines)
    return ExportedEnvironment(text=header + "\n" + body, needs=needs, notes=exporter.notes)
