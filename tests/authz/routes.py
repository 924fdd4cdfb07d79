"""Walk every URL pattern the project serves, including the django-ninja API routes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from samvirke.api.api import api

_PARAM_RE = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    template: str  # Django route string without the leading slash, e.g. "notices/<int:notice_id>/"
    name: str  # namespaced name, e.g. "notices:detail"
    is_api: bool

    @property
    def kwargs(self) -> tuple[str, ...]:
        return tuple(m.group("name") for m in _PARAM_RE.finditer(self.template))

    @property
    def openapi_path(self) -> str:
        return "/" + _PARAM_RE.sub(lambda m: "{" + m.group("name") + "}", self.template)

    def url(self, **values) -> str:
        return "/" + _PARAM_RE.sub(lambda m: str(values[m.group("name")]), self.template)

    def __str__(self):
        return f"/{self.template} ({self.name})"


def _pattern_string(pattern) -> str:
    text = str(pattern.pattern)
    # Regex patterns (re_path) are not used in Samvirke; refuse them so the walker can't misread one.
    if hasattr(pattern.pattern, "regex") and not hasattr(pattern.pattern, "converters"):
        raise AssertionError(f"re_path() pattern {text!r}: teach tests/authz/routes.py to read regex groups")
    return text


def all_routes() -> list[Route]:
    """Every URL pattern, recursively, de-duplicated by route (ninja adds one pattern per operation)."""
    seen: dict[str, Route] = {}

    def walk(patterns, prefix: str, namespace: str | None, in_api: bool):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(
                    p.url_patterns,
                    prefix + _pattern_string(p),
                    ns,
                    in_api or p.namespace == api.urls_namespace,
                )
            elif isinstance(p, URLPattern):
                template = prefix + _pattern_string(p)
                if template not in seen:
                    name = f"{namespace}:{p.name}" if namespace else (p.name or "")
                    seen[template] = Route(template=template, name=name, is_api=in_api)
            else:  # pragma: no cover
                raise AssertionError(f"unknown URL entry {p!r}")

    walk(get_resolver().url_patterns, "", None, False)
    return list(seen.values())


def openapi_operations() -> dict[str, dict]:
    """OpenAPI path -> {method: operation} from the live schema."""
    return api.get_openapi_schema()["paths"]


def openapi_components() -> dict:
    return api.get_openapi_schema().get("components", {}).get("schemas", {})


def minimal_body(schema: dict, components: dict):
    """The smallest JSON value that passes validation, so the request reaches the view (not a 422)."""
    if "$ref" in schema:
        return minimal_body(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return minimal_body(schema[key][0], components)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: minimal_body(props[name], components) for name in schema.get("required", [])}
    return {"integer": 1, "number": 1, "string": "x", "boolean": False, "array": []}.get(kind)
