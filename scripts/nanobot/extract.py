#!/usr/bin/env python3
"""Describe, as data, what one nanobot release makes of its config file and environment.

Usage (one release per process; generate.sh lays the release out and runs this):

    NANOBOT_SRC=<dir holding nanobot/ and pyproject.toml at a release> \
        python3 extract.py --tag v0.2.2 --commit <sha> --date <iso> --out schemas/nanobot/0.2.2.json

Everything here is read from nanobot itself, never restated by hand:
  * the JSON Schema of its pydantic config models (model_json_schema()), the root Config and the
    model of every channel, including the channel models that live in the channel modules;
  * per model: what an unknown key does (pydantic `extra`), key spelling (alias generator,
    alias choices) and the validators pydantic runs that a JSON Schema cannot express, each with
    its source file:line;
  * the channel list as the release's own registry/manager sees it;
  * behaviour, by running the release's own code (nb_oracle.evaluate: load_config, the ${VAR}
    step and the ChannelManager, as `nanobot gateway` runs them) on small probe configs: how the
    loader reacts to invalid input, what the environment does, what an empty / "*" / omitted
    allow list means;
  * where a fact lives in code rather than in a model: the source file:line, found by searching
    the release's own source, so the location is right for that release.
The output is plain JSON; see README.md ("schemas/nanobot/<version>.json") for the format.
"""
import argparse
import inspect
import json
import os
import re
import sys
import tempfile
import types
import typing
import warnings
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import nb_oracle as O  # noqa: E402  (sets up the stubs and imports the release's loader/schema)
import fakelog  # noqa: E402

import pydantic  # noqa: E402
import pydantic_settings  # noqa: E402
from pydantic import BaseModel  # noqa: E402

FORMAT = 1
warnings.filterwarnings("ignore")  # pydantic serializer warnings about nanobot's own defaults
SRC = Path(os.environ["NANOBOT_SRC"]).resolve()
loader = O.loader
schema = O.schema
_TMP = Path(tempfile.mkdtemp(prefix="nbextract-"))


# ---------------------------------------------------------------------------- source locations

def rel(path) -> str | None:
    try:
        return str(Path(path).resolve().relative_to(SRC))
    except Exception:
        return None


def where(obj) -> str | None:
    """file:line of a class or function, relative to the release root."""
    try:
        obj = inspect.unwrap(getattr(obj, "__func__", obj))
        f = rel(inspect.getsourcefile(obj))
        _, line = inspect.getsourcelines(obj)
        return f"{f}:{line}" if f else None
    except Exception:
        return None


def grep(pattern: str, files="nanobot/**/*.py", limit=12, exclude=("/tests/", "/test_")) -> list[str]:
    """file:line of every line of the release's source matching a regex (first `limit`)."""
    rx = re.compile(pattern)
    hits = []
    for p in sorted(SRC.glob(files)):
        r = str(p.relative_to(SRC))
        if any(x in "/" + r for x in exclude):
            continue
        try:
            lines = p.read_text(encoding="utf-8").splitlines()
        except Exception:
            continue
        for i, line in enumerate(lines, 1):
            if rx.search(line):
                hits.append(f"{r}:{i}")
                if len(hits) >= limit:
                    return hits
    return hits


def grep_in(obj, pattern: str) -> list[str]:
    """file:line of lines matching a regex inside one function or class."""
    try:
        obj = inspect.unwrap(getattr(obj, "__func__", obj))
        f = rel(inspect.getsourcefile(obj))
        lines, start = inspect.getsourcelines(obj)
    except Exception:
        return []
    rx = re.compile(pattern)
    return [f"{f}:{start + i}" for i, line in enumerate(lines) if rx.search(line)]


# ---------------------------------------------------------------------------- models

def model_classes(annotation):
    """BaseModel subclasses named anywhere in a type annotation."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation) or ():
        yield from model_classes(arg)


def walk_models(root, seen=None):
    seen = {} if seen is None else seen
    if root in seen.values():
        return seen
    name = root.__name__
    if name in seen:  # same name, other class: qualify it
        name = f"{root.__module__}.{root.__name__}"
    seen[name] = root
    for f in root.model_fields.values():
        for m in model_classes(f.annotation):
            walk_models(m, seen)
    return seen


def extra_of(cls) -> str:
    e = cls.model_config.get("extra")
    return e if e else "ignore"


def accepted_names(cls, fname, finfo) -> list[str]:
    """The keys pydantic accepts for one field, in the order it looks them up."""
    cfg = cls.model_config
    by_name = bool(cfg.get("populate_by_name") or cfg.get("validate_by_name"))
    names = []
    va = finfo.validation_alias
    if va is not None:
        choices = getattr(va, "choices", None)
        for c in (choices if choices is not None else [va]):
            if isinstance(c, str):
                names.append(c)
            elif hasattr(c, "path"):
                names.append(".".join(map(str, c.path)))
    elif finfo.alias:
        names.append(finfo.alias)
    if by_name or not names:
        names.append(fname)
    out = []
    for n in names:
        if n not in out:
            out.append(n)
    return out


def to_camel_default(name: str) -> str:
    from pydantic.alias_generators import to_camel
    return to_camel(name)


def validators_of(cls) -> list[dict]:
    out = []
    dec = getattr(cls, "__pydantic_decorators__", None)
    if dec is None:
        return out
    for kind in ("model_validators", "field_validators", "validators", "root_validators"):
        for name, d in getattr(dec, kind, {}).items():
            info = d.info
            v = {"kind": kind[:-1].replace("_", " "), "name": name, "mode": getattr(info, "mode", None)}
            if getattr(info, "fields", None):
                v["fields"] = list(info.fields)
            v["source"] = where(d.func)
            out.append(v)
    return out


def model_info(cls) -> dict:
    cfg = cls.model_config
    gen = cfg.get("alias_generator")
    info = {
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "source": where(cls),
        "extra": extra_of(cls),
        "aliasGenerator": getattr(gen, "__name__", None) if gen else None,
        "populateByName": bool(cfg.get("populate_by_name") or cfg.get("validate_by_name")),
    }
    # keys that are not simply [to_camel(name), name] (or [name] without an alias generator)
    odd = {}
    for fname, finfo in cls.model_fields.items():
        names = accepted_names(cls, fname, finfo)
        usual = [to_camel_default(fname), fname] if gen else [fname]
        usual = list(dict.fromkeys(usual))
        if names != usual:
            odd[fname] = names
    if odd:
        info["acceptedNames"] = odd
    vals = validators_of(cls)
    if vals:
        info["validators"] = vals
    # What the model holds for every field a file leaves out (nanobot-harden fills map entries such
    # as tools.mcpServers.<name> from it: default_factory fields have no "default" in the schema).
    d = model_defaults(cls)
    if d is not None:
        info["defaults"] = d
    return info


def model_defaults(cls):
    """cls() dumped as save_config writes it (aliases), or None when the model has required fields."""
    try:
        return cls().model_dump(mode="json", by_alias=True)
    except Exception:
        return None


def json_schema(cls):
    try:
        return cls.model_json_schema()
    except Exception as e:  # a stubbed type can make the schema ungeneratable
        return {"$comment": f"model_json_schema failed: {type(e).__name__}: {e}"[:300]}


# ---------------------------------------------------------------------------- running nanobot

def case_file(name: str, content) -> Path:
    d = _TMP / name
    d.mkdir(parents=True, exist_ok=True)
    p = d / "config.json"
    if content is None:
        if p.exists():
            p.unlink()
        return p
    if isinstance(content, bytes):
        p.write_bytes(content)
    elif isinstance(content, str):
        p.write_text(content, encoding="utf-8")
    else:
        p.write_text(json.dumps(content), encoding="utf-8")
    return p


def run(name, content, env=None, hook=None) -> dict:
    """The release's verdict on one probe (nb_oracle.evaluate), stripped of temp paths."""
    try:
        r = O.evaluate(case_file(name, content).resolve(), env or {}, hook)
    except Exception as e:
        r = {"status": "oracle-error", "error": f"{type(e).__name__}: {e}"}
    return scrub(r)


def scrub(v):
    """Drop what changes between runs: the probe directory, the temp HOME, pydantic's doc links."""
    if isinstance(v, str):
        v = v.replace(str(_TMP.resolve()), "<probe>")
        v = re.sub(r"/tmp/nbhome-[A-Za-z0-9_]+", "<home>", v)
        return re.sub(r"\n?\s*For further information visit \S+", "", v)[:300]
    if isinstance(v, list):
        return [scrub(x) for x in v]
    if isinstance(v, dict):
        return {k: scrub(x) for k, x in v.items()}
    return v


def summary(r: dict, *fields) -> dict:
    out = {"status": r["status"]}
    if r.get("error"):
        out["error"] = r["error"]
    for f in fields:
        if f in r:
            out[f] = r[f]
    return out


# ---------------------------------------------------------------------------- the release

def release_version() -> str:
    t = (SRC / "pyproject.toml").read_text(encoding="utf-8")
    m = re.search(r'(?m)^version\s*=\s*"([^"]+)"', t)
    return m.group(1)


def requirement(pkg: str) -> str | None:
    t = (SRC / "pyproject.toml").read_text(encoding="utf-8")
    m = re.search(r'"%s([^"]*)"' % re.escape(pkg), t)
    return m.group(1) if m else None


def resolve_refs():
    if hasattr(schema, "_resolve_tool_config_refs"):
        schema._resolve_tool_config_refs()


def clear_env():
    for k in list(os.environ):
        if k.upper().startswith("NANOBOT_"):
            del os.environ[k]


def default_config() -> dict:
    """The file nanobot writes for a fresh install (its save_config's transform of Config())."""
    clear_env()
    c = schema.Config()
    if hasattr(loader, "convert_to_camel"):  # 0.1.3.x: snake_case models, camelCase on disk
        return loader.convert_to_camel(c.model_dump(mode="json"))
    return c.model_dump(mode="json", by_alias=True)


def channel_registry():
    """Channel names and classes as this release's own code finds them."""
    try:
        import nanobot.channels.registry as reg
    except ImportError:
        reg = None
    info = {"source": None, "names": []}
    if reg is None:
        info["source"] = where(O.ChannelManager._init_channels)
        info["kind"] = "hard-coded in ChannelManager._init_channels"
        return info, None
    if hasattr(reg, "discover_channel_names"):
        info["names"] = list(reg.discover_channel_names())
        info["source"] = where(reg.discover_channel_names)
        info["kind"] = "modules of nanobot/channels (pkgutil) plus entry-point plugins"
    else:
        info["names"] = list(reg.discover_plugins())
        info["source"] = where(reg.discover_plugins)
        info["kind"] = "packages of nanobot/channels with a manifest (ChannelPlugin)"
    return info, reg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tag")
    ap.add_argument("--commit")
    ap.add_argument("--date")
    ap.add_argument("--name", help="the release's name in schemas/nanobot (default: its version)")
    ap.add_argument("--out", required=True, help="where to write the JSON (nanobot may print to stdout)")
    args = ap.parse_args()

    resolve_refs()
    Config = schema.Config
    version = release_version()
    out = {
        "format": FORMAT,
        "name": args.name or version,
        "version": version,
        "tag": args.tag,
        "commit": args.commit,
        "date": args.date,
        "generatedWith": {
            "python": ".".join(map(str, sys.version_info[:3])),
            "pydantic": pydantic.VERSION,
            "pydanticSettings": pydantic_settings.__version__,
        },
        "requires": {"pydantic": requirement("pydantic>"), "pydanticSettings": requirement("pydantic-settings")},
    }

    # ------------------------------------------------------------------ models and schema
    models = walk_models(Config)
    root_cfg = Config.model_config
    top = {}
    for fname, finfo in Config.model_fields.items():
        ms = [m.__name__ for m in model_classes(finfo.annotation)]
        top[accepted_names(Config, fname, finfo)[0]] = {
            "field": fname,
            "acceptedNames": accepted_names(Config, fname, finfo),
            "model": ms[0] if ms else None,
            "type": repr(finfo.annotation).replace("typing.", "")[:120],
        }
    convert = hasattr(loader, "convert_keys")
    out["keys"] = {
        "aliasGenerator": models.get("AgentsConfig", Config).model_config.get("alias_generator").__name__
        if models.get("AgentsConfig", Config).model_config.get("alias_generator") else None,
        "populateByName": bool(models.get("AgentsConfig", Config).model_config.get("populate_by_name")),
        "loaderConvertsCamelToSnake": convert,
        "loaderConvertsCamelToSnakeSource": where(loader.convert_keys) if convert else None,
    }
    out["root"] = {
        "model": "Config",
        "source": where(Config),
        "base": "pydantic_settings.BaseSettings",
        "extra": extra_of(Config),
        "topLevelKeys": top,
    }
    out["schema"] = json_schema(Config)
    out["sections"] = {k: {"model": v["model"], "ref": f"#/$defs/{v['model']}" if v["model"] else None}
                       for k, v in top.items()}
    out["models"] = {n: model_info(c) for n, c in sorted(models.items())}
    out["defaults"] = default_config()

    # ------------------------------------------------------------------ channels
    reg_info, reg = channel_registry()
    chcfg = schema.ChannelsConfig
    typed_fields = {n: f for n, f in chcfg.model_fields.items() if list(model_classes(f.annotation))}
    typed = bool(typed_fields)
    names = list(typed_fields) if typed else reg_info["names"]
    reg_info["names"] = names
    channels = {
        "typedSections": typed,
        "sectionsModel": "ChannelsConfig",
        "sectionsModelSource": where(chcfg),
        "unknownSection": extra_of(chcfg),
        "settings": [accepted_names(chcfg, n, f)[0] for n, f in chcfg.model_fields.items() if n not in typed_fields],
        "registry": reg_info,
        "manager": where(O.ChannelManager),
        "list": {},
    }
    # build every channel through the release's own manager, all enabled, to learn its model
    every = {n: {"enabled": True, "allowFrom": ["*"]} for n in names}
    built = {}

    def grab(config, m):
        if m is None:
            return {}
        for rn, ch in m.channels.items():
            built[rn] = ch
        return sorted(m.channels)

    r_all = run("all-channels", {"channels": every}, {}, grab)
    base_cls = sys.modules["nanobot.channels.base"].BaseChannel
    for n in names:
        ch = built.get(n)
        entry = {}
        cls = type(ch) if ch is not None else None
        if cls is None and reg is not None:
            try:
                cls = reg.load_channel_class(n)
            except Exception:
                cls = None
        if cls is not None:
            entry["class"] = f"{cls.__module__}.{cls.__qualname__}"
            entry["classSource"] = where(cls)
            over = cls.is_allowed is not base_cls.is_allowed
            entry["isAllowed"] = where(cls.is_allowed) if over else "base"
        model = type(ch.config) if ch is not None and isinstance(ch.config, BaseModel) else None
        if model is None and typed:
            model = next(model_classes(typed_fields[n].annotation))
        if model is not None:
            entry["model"] = model.__name__
            entry.update({k: v for k, v in model_info(model).items() if k != "class"})
            entry["modelClass"] = f"{model.__module__}.{model.__qualname__}"
            entry["schema"] = json_schema(model)
            try:
                entry["defaults"] = model().model_dump(mode="json", by_alias=True)
            except Exception as e:
                entry["defaults"] = None
                entry["defaultsError"] = f"{type(e).__name__}"
        if reg is not None and hasattr(reg, "channel_default_enabled"):
            entry["defaultEnabled"] = bool(reg.channel_default_enabled(n))
            entry["defaultEnabledSource"] = where(reg.channel_default_enabled)
        elif model is not None and "enabled" in model.model_fields:
            entry["defaultEnabled"] = bool(model.model_fields["enabled"].default)
        if reg is not None and hasattr(reg, "load_channel_plugin"):
            try:
                plugin = reg.load_channel_plugin(n)
                entry["multiInstance"] = plugin.management.instance_specs is not None
            except Exception:
                pass
        entry["startsWhenEnabled"] = ch is not None
        channels["list"][n] = entry
    channels["allEnabledProbe"] = summary(r_all, "channels", "channelWarnings", "managerError", "gatewayExit")
    channels["allEnabledProbe"]["channels"] = sorted(r_all.get("channels") or {})
    out["channels"] = channels

    # ------------------------------------------------------------------ the loader
    out["loader"] = loader_facts()
    pr = out["loader"]["probes"]
    a, b = pr["camelThenSnake"].get("maxTokens"), pr["snakeThenCamel"].get("maxTokens")
    out["keys"]["bothSpellings"] = ("camelCase wins" if a == b == 1111 else
                                    "the later key wins" if (a, b) == (2222, 1111) else f"unclear ({a}, {b})")
    out["keys"]["camelAccepted"] = pr["camelOnly"].get("maxTokens") == 1111
    out["keys"]["snakeAccepted"] = pr["snakeOnly"].get("maxTokens") == 2222

    def started(pid):
        return sorted((pr[pid].get("channels") or {}))

    channels["badChannelValue"] = {
        "effect": {"fallback": "the whole file is dropped (defaults)", "refuse": "nanobot does not start",
                   "crash": "nanobot does not start", "ok": "only that channel is left out"}.get(
            pr["channelAllowFromInt"]["status"], pr["channelAllowFromInt"]["status"]),
        "allowFromInt": pr["channelAllowFromInt"]["status"],
        "enabledNull": pr["channelEnabledNull"]["status"],
        "sectionNotObject": pr["channelNotObject"]["status"],
        "badValueInDisabledChannel": pr["disabledChannelBadValue"]["status"],
    }
    channels["enabledStringFalseStarts"] = "telegram" in started("channelEnabledStringFalse")
    channels["unknownSectionStarts"] = [c for c in started("unknownChannel") if c.startswith("telegramm")]
    out["env"] = env_facts()
    out["allowFrom"] = allow_from_facts(names, base_cls)
    out["interpolation"] = interpolation_facts()
    out["code"] = code_facts()
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


# ---------------------------------------------------------------------------- loader behaviour

# (id, what it is, file content (object, raw text, bytes, or None for no file), env)
LOADER_PROBES = [
    ("validMinimal", "a minimal valid file", {"tools": {"restrictToWorkspace": True}}, {}),
    ("emptyObject", "{}", {}, {}),
    ("noFile", "no config file at all", None, {}),
    ("invalidJson", "a JSON syntax error", '{"tools": {', {}),
    ("comment", "a // comment", '{\n // c\n "tools": {}}', {}),
    ("trailingComma", "a trailing comma", '{"tools": {},}', {}),
    ("bom", "a UTF-8 byte order mark", "\ufeff{}", {}),
    ("invalidUtf8", "bytes that are not UTF-8", b'{"agents": {"defaults": {"workspace": "\xff"}}}', {}),
    ("rootArray", "a non-object root: []", "[]", {}),
    ("rootNull", "a non-object root: null", "null", {}),
    ("rootString", "a non-object root: a string", '"x"', {}),
    ("unknownTopLevelKey", "an unknown top-level key ($schema)", {"$schema": "x", "tools": {"restrictToWorkspace": True}}, {}),
    ("unknownNestedKey", "a misspelt nested key", {"tools": {"restrictToWorkSpace": True}}, {}),
    ("badLeafType", "a wrong leaf type (gateway.port: \"abc\")", {"gateway": {"port": "abc"}}, {}),
    ("toolsArray", "tools: []", {"tools": []}, {}),
    ("toolsNull", "tools: null", {"tools": None}, {}),
    ("toolsExecArray", "tools.exec: []", {"tools": {"exec": []}}, {}),
    ("channelsArray", "channels: []", {"channels": []}, {}),
    ("channelsNull", "channels: null", {"channels": None}, {}),
    ("gatewayArray", "gateway: []", {"gateway": []}, {}),
    ("agentsArray", "agents: []", {"agents": []}, {}),
    ("agentsDefaultsArray", "agents.defaults: []", {"agents": {"defaults": []}}, {}),
    ("channelNotObject", "channels.telegram: []", {"channels": {"telegram": []}}, {}),
    ("channelEnabledNull", "channels.telegram.enabled: null",
     {"channels": {"telegram": {"enabled": None, "token": "t", "allowFrom": ["1"]}}}, {}),
    ("channelEnabledStringFalse", "channels.telegram.enabled: \"false\"",
     {"channels": {"telegram": {"enabled": "false", "token": "t", "allowFrom": ["1"]}}}, {}),
    ("channelAllowFromInt", "an integer in channels.telegram.allowFrom",
     {"channels": {"telegram": {"enabled": True, "token": "t", "allowFrom": [123]}}}, {}),
    ("channelAllowFromString", "channels.telegram.allowFrom: \"*\" (a string, not a list)",
     {"channels": {"telegram": {"enabled": True, "token": "t", "allowFrom": "*"}}}, {}),
    ("channelAllowFromNull", "channels.telegram.allowFrom: null",
     {"channels": {"telegram": {"enabled": True, "token": "t", "allowFrom": None}}}, {}),
    ("disabledChannelBadValue", "a bad value in a disabled channel",
     {"channels": {"telegram": {"enabled": False, "allowFrom": [123]}}}, {}),
    ("unknownChannel", "a misspelt channel section (telegramm)",
     {"channels": {"telegramm": {"enabled": True, "token": "t", "allowFrom": ["*"]}}}, {}),
    ("nanFloat", "NaN in a float field", '{"agents": {"defaults": {"temperature": NaN}}}', {}),
    ("infinityInt", "Infinity in an int field", '{"tools": {"exec": {"timeout": Infinity}}}', {}),
    ("duplicateKey", "a duplicated key (host twice)", '{"gateway": {"host": "127.0.0.1", "host": "0.0.0.0"}}', {}),
    ("camelThenSnake", "agents.defaults maxTokens 1111 then max_tokens 2222 (result in maxTokens)",
     '{"agents": {"defaults": {"maxTokens": 1111, "max_tokens": 2222}}}', {}),
    ("snakeThenCamel", "agents.defaults max_tokens 2222 then maxTokens 1111 (result in maxTokens)",
     '{"agents": {"defaults": {"max_tokens": 2222, "maxTokens": 1111}}}', {}),
    ("camelOnly", "agents.defaults.maxTokens: 1111 alone (result in maxTokens)",
     {"agents": {"defaults": {"maxTokens": 1111}}}, {}),
    ("snakeOnly", "agents.defaults.max_tokens: 2222 alone (result in maxTokens)",
     {"agents": {"defaults": {"max_tokens": 2222}}}, {}),
    ("oldPlaceCamel", "tools.exec.restrictToWorkspace: true alone", {"tools": {"exec": {"restrictToWorkspace": True}}}, {}),
    ("oldPlaceSnake", "tools.exec.restrict_to_workspace: true alone", {"tools": {"exec": {"restrict_to_workspace": True}}}, {}),
    ("oldPlaceWithNew", "tools.exec.restrictToWorkspace: true beside tools.restrictToWorkspace: false",
     {"tools": {"restrictToWorkspace": False, "exec": {"restrictToWorkspace": True}}}, {}),
    ("boolFromString", "restrictToWorkspace: \"yes\"", {"tools": {"restrictToWorkspace": "yes"}}, {}),
    ("boolFromTwo", "restrictToWorkspace: 2", {"tools": {"restrictToWorkspace": 2}}, {}),
    ("boolNull", "restrictToWorkspace: null", {"tools": {"restrictToWorkspace": None}}, {}),
    ("gatewayHostPublic", "gateway.host: 0.0.0.0", {"gateway": {"host": "0.0.0.0"}}, {}),
    ("apiPublicNoKey", "api.host: 0.0.0.0 without a key", {"api": {"host": "0.0.0.0"}}, {}),
    ("apiPublicWithKey", "api.host: 0.0.0.0 with apiKey", {"api": {"host": "0.0.0.0", "apiKey": "k"}}, {}),
    ("apiEmptyHostNoKey", "api.host: \"\" without a key", {"api": {"host": ""}}, {}),
    ("websocketPublicNoToken", "websocket on 0.0.0.0 without token",
     {"channels": {"websocket": {"enabled": True, "host": "0.0.0.0"}}}, {}),
    ("feishuInstances", "feishu instances[]",
     {"channels": {"feishu": {"enabled": True, "appId": "a", "appSecret": "s", "allowFrom": ["ou_1"],
                              "instances": [{"id": "team", "appId": "b", "appSecret": "s2", "allowFrom": ["*"]}]}}}, {}),
    ("modelPresetMissing", "agents.defaults.modelPreset naming a preset that does not exist",
     {"agents": {"defaults": {"modelPreset": "nope"}}}, {}),
    ("execTimeoutNegative", "tools.exec.timeout: -1", {"tools": {"exec": {"timeout": -1}}}, {}),
    ("sandboxUnknown", "tools.exec.sandbox: \"docker\"", {"tools": {"exec": {"sandbox": "docker"}}}, {}),
    ("mcpServerFilesystemRoot", "an MCP stdio server serving /",
     {"tools": {"mcpServers": {"fs": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/"]}}}}, {}),
    ("workspaceRoot", "agents.defaults.workspace: /", {"agents": {"defaults": {"workspace": "/"}}}, {}),
]

def read_max_tokens(config, m):
    return {"maxTokens": O._g(config, "agents", "defaults", "max_tokens")}


KEEP = ("restrictToWorkspace", "execRestrictToWorkspace", "gatewayHost", "apiHost", "apiKeySet", "workspace",
        "channels", "gatewayExit", "managerError", "channelWarnings")


def short(r):
    s = summary(r, *KEEP)
    if isinstance(s.get("channels"), dict):
        s["channels"] = {k: {kk: vv for kk, vv in v.items() if kk in ("allow_from", "host", "token_set", "configType")}
                         for k, v in s["channels"].items()}
    if "tools" in r and r["tools"].get("execTimeout") is not None:
        s["execTimeout"] = r["tools"]["execTimeout"]
    if "tools" in r and "execSandbox" in r["tools"]:
        s["execSandbox"] = r["tools"]["execSandbox"]
    if isinstance(r.get("mcpServers"), dict) and r["mcpServers"]:
        s["mcpServers"] = r["mcpServers"]
    return s


def loader_facts():
    lf = loader.load_config
    facts = {
        "source": where(lf),
        "jsonLoad": grep_in(lf, r"json\.load\("),
        "caught": grep_in(lf, r"except\b"),
        "fallbackToDefaults": grep_in(lf, r"Using default configuration"),
        "raises": grep_in(lf, r"raise\b"),
        "configFromEnv": grep_in(lf, r"^\s*config\s*=\s*Config\(\)"),
        "migrate": where(getattr(loader, "_migrate_config", None)) if hasattr(loader, "_migrate_config") else None,
        "cliCatches": grep(r"resolve_config_env_vars\(load_config\(|except ValueError as e:", "nanobot/cli/*.py", limit=6),
    }
    probes = {}
    for pid, desc, content, env in LOADER_PROBES:
        r = run("loader-" + pid, content, env, read_max_tokens)
        s = short(r)
        s["what"] = desc
        if "probe" in r and ("Tokens" in desc or "tokens" in desc):
            s.update(r["probe"])
        probes[pid] = s
    facts["probes"] = probes
    inv = probes["badLeafType"]["status"]
    facts["onInvalidSchema"] = inv
    facts["onInvalidJson"] = probes["invalidJson"]["status"]
    facts["onUnknownTopLevelKey"] = probes["unknownTopLevelKey"]["status"]
    return facts


# ---------------------------------------------------------------------------- environment

def env_facts():
    mc = schema.Config.model_config
    keys = ("env_prefix", "env_nested_delimiter", "case_sensitive", "env_file", "env_parse_none_str",
            "env_parse_enums", "env_ignore_empty", "nested_model_default_partial_update", "enable_decoding",
            "env_nested_max_split", "extra")
    settings = {k: _jsonable(mc.get(k)) for k in keys if k in mc}

    def sect_value(path):
        def hook(config, m):
            ch = getattr(config, "channels", None)
            sec = getattr(ch, "telegram", None)
            val = sec.get("allow_from", "<absent>") if isinstance(sec, dict) else getattr(sec, "allow_from", "<absent>")
            return {"telegram.allow_from": O._plain(val), "type": type(val).__name__}
        return hook

    P = [
        ("fillsAbsentKey", "NANOBOT_GATEWAY__HOST=0.0.0.0, file without gateway.host",
         {"gateway": {"port": 18790}}, {"NANOBOT_GATEWAY__HOST": "0.0.0.0"}, None),
        ("fileBeatsEnv", "file gateway.host 127.0.0.1, NANOBOT_GATEWAY__HOST=0.0.0.0",
         {"gateway": {"host": "127.0.0.1"}}, {"NANOBOT_GATEWAY__HOST": "0.0.0.0"}, None),
        ("fileBeatsEnvRestrict", "file restrictToWorkspace: true, NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE=false",
         {"tools": {"restrictToWorkspace": True}}, {"NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE": "false"}, None),
        ("envRestrict", "NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE=true, file without it",
         {}, {"NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE": "true"}, None),
        ("lowercaseName", "nanobot_gateway__host=0.0.0.0 (lower case)", {}, {"nanobot_gateway__host": "0.0.0.0"}, None),
        ("camelSegment", "NANOBOT_AGENTS__DEFAULTS__MAXTOKENS=1234 (camelCase field, upper-cased)",
         {}, {"NANOBOT_AGENTS__DEFAULTS__MAXTOKENS": "1234"}, read_max_tokens),
        ("snakeSegment", "NANOBOT_AGENTS__DEFAULTS__MAX_TOKENS=1234", {}, {"NANOBOT_AGENTS__DEFAULTS__MAX_TOKENS": "1234"},
         read_max_tokens),
        ("wholeSectionJson", "NANOBOT_GATEWAY='{\"host\":\"0.0.0.0\"}'", {}, {"NANOBOT_GATEWAY": '{"host": "0.0.0.0"}'}, None),
        ("sectionNameCollision", "NANOBOT_GATEWAY=s3cr3t (a secret meant for ${NANOBOT_GATEWAY})",
         {}, {"NANOBOT_GATEWAY": "s3cr3t"}, None),
        ("invalidValueFileSetsKey", "NANOBOT_GATEWAY__PORT=abc while the file sets gateway.port",
         {"gateway": {"port": 18790}}, {"NANOBOT_GATEWAY__PORT": "abc"}, None),
        ("invalidValueNoFile", "NANOBOT_GATEWAY__PORT=abc and no config file", None, {"NANOBOT_GATEWAY__PORT": "abc"}, None),
        ("envOnlyNoFile", "NANOBOT_GATEWAY__HOST=0.0.0.0 and no config file", None, {"NANOBOT_GATEWAY__HOST": "0.0.0.0"}, None),
        ("envWithInvalidFile", "NANOBOT_GATEWAY__HOST=0.0.0.0 and a file with a syntax error",
         '{"gateway": {', {"NANOBOT_GATEWAY__HOST": "0.0.0.0"}, None),
        ("channelAllowFromJson", "NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM='[\"*\"]', file enables telegram without allowFrom",
         {"channels": {"telegram": {"enabled": True, "token": "t"}}},
         {"NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM": '["*"]'}, sect_value("telegram")),
        ("channelAllowFromJsonFileHasList", "the same variable while the file has allowFrom: [\"1\"]",
         {"channels": {"telegram": {"enabled": True, "token": "t", "allowFrom": ["1"]}}},
         {"NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM": '["*"]'}, sect_value("telegram")),
        ("channelEnabledByEnv", "NANOBOT_CHANNELS__TELEGRAM__ENABLED=true and __TOKEN=t, empty file",
         {}, {"NANOBOT_CHANNELS__TELEGRAM__ENABLED": "true", "NANOBOT_CHANNELS__TELEGRAM__TOKEN": "t"}, sect_value("telegram")),
        ("channelDisabledByEnvString", "NANOBOT_CHANNELS__TELEGRAM__ENABLED=false, file enables telegram without enabled key",
         {"channels": {"telegram": {"token": "t", "allowFrom": ["1"]}}}, {"NANOBOT_CHANNELS__TELEGRAM__ENABLED": "false"},
         sect_value("telegram")),
        ("nullStringValue", "NANOBOT_GATEWAY__HOST=null", {}, {"NANOBOT_GATEWAY__HOST": "null"}, None),
        ("emptyValue", "NANOBOT_GATEWAY__HOST= (empty)", {}, {"NANOBOT_GATEWAY__HOST": ""}, None),
    ]
    probes = {}
    for pid, desc, content, env, hook in P:
        r = run("env-" + pid, content, env, hook)
        s = short(r)
        s["what"] = desc
        if "probe" in r:
            s["section"] = r["probe"]
        probes[pid] = s
    pr = probes
    derived = {
        "fillsAbsentKeys": pr["fillsAbsentKey"].get("gatewayHost") == "0.0.0.0",
        "fileBeatsEnv": pr["fileBeatsEnv"].get("gatewayHost") == "127.0.0.1",
        "caseSensitive": pr["lowercaseName"].get("gatewayHost") != "0.0.0.0",
        "camelSegmentAccepted": (pr["camelSegment"].get("section") or {}).get("maxTokens") == 1234,
        "complexValuesJsonDecoded": pr["wholeSectionJson"].get("gatewayHost") == "0.0.0.0",
        "channelValuesJsonDecoded": (pr["channelAllowFromJson"].get("section") or {}).get("type") == "list",
        "invalidValueStopsEvenWhenFileSetsKey": pr["invalidValueFileSetsKey"]["status"] in ("refuse", "crash"),
        "readBeforeFile": env_read_before_file(),
        "appliesWhenFileInvalid": pr["envWithInvalidFile"].get("gatewayHost") == "0.0.0.0",
    }
    return {"settings": settings, "settingsSource": where(schema.Config), **derived, "probes": probes}


def env_read_before_file() -> bool:
    """load_config builds Config() (environment only) before it looks at the file."""
    first_config = grep_in(loader.load_config, r"^\s*config\s*=\s*Config\(\)")
    first_exists = grep_in(loader.load_config, r"path\.exists\(\)")
    if not first_config or not first_exists:
        return False
    return int(first_config[0].rsplit(":", 1)[1]) < int(first_exists[0].rsplit(":", 1)[1])


def _jsonable(v):
    try:
        json.dumps(v)
        return v
    except TypeError:
        return repr(v)


# ---------------------------------------------------------------------------- allow lists

class _Cfg(types.SimpleNamespace):
    pass


def allow_from_facts(names, base_cls):
    """What [], ["*"], an exact id and an omitted list mean: the base class, then every channel."""
    isa = base_cls.is_allowed

    def base_probe(allow):
        me = types.SimpleNamespace(config=_Cfg(allow_from=allow), name="probe", display_name="probe")
        out = {}
        for who in ("12345", "999"):
            try:
                out[who] = bool(isa(me, who))
            except Exception as e:
                out[who] = f"{type(e).__name__}: {e}"[:120]
        return out

    base = {"empty": base_probe([]), "star": base_probe(["*"]), "exact12345": base_probe(["12345"])}
    base_mod = sys.modules["nanobot.channels.base"]
    pairing = hasattr(base_mod, "is_approved")
    facts = {
        "isAllowed": where(isa),
        "pairing": pairing,
        "pairingSource": grep_in(base_cls, r"is_approved\(|generate_code\(") if pairing else [],
        "base": base,
        "empty": ("pairing" if pairing else "deny") if base["empty"]["999"] is False else "allow-all",
        "star": "allow-all" if base["star"]["999"] is True else "literal",
    }
    v = O._orig_validate  # the release's own check (nb_oracle wraps it to record its SystemExit)
    facts["startupCheck"] = where(v) if v else None
    facts["startupCheckExits"] = grep_in(v, r"SystemExit") if v else []

    # every channel, all enabled, with each kind of list: which start, what is_allowed says,
    # and whether the gateway's start-up check stops nanobot
    def variant(allow):
        cfg = {}
        for n in names:
            sec = {"enabled": True}
            if allow is not None:
                sec["allowFrom"] = allow
            cfg[n] = sec
        return {"channels": cfg}

    def hook(config, m):
        res = {}
        for rn, ch in (m.channels.items() if m else []):
            r = {}
            for who in ("12345", "999"):
                try:
                    r[who] = bool(ch.is_allowed(who))
                except Exception as e:
                    r[who] = f"{type(e).__name__}"
            res[rn] = r
        return res

    per = {}
    for vid, allow in (("empty", []), ("star", ["*"]), ("exact12345", ["12345"]), ("omitted", None)):
        r = run("allow-" + vid, variant(allow), {}, hook)
        per[vid] = {"status": r["status"], "gatewayExit": r.get("gatewayExit"), "isAllowed": r.get("probe"),
                    "allowFromParsed": {k: v.get("allow_from", "<absent>") for k, v in (r.get("channels") or {}).items()}}
        if r.get("error"):
            per[vid]["error"] = r["error"]
    facts["gatewayExitsOnEmpty"] = bool(per["empty"]["gatewayExit"])
    facts["gatewayExitsOnOmitted"] = bool(per["omitted"]["gatewayExit"])
    facts["channels"] = per
    return facts


# ---------------------------------------------------------------------------- ${VAR}

def interpolation_facts():
    has = hasattr(loader, "resolve_config_env_vars")
    facts = {"supported": has}
    if not has:
        r = run("interp-literal", {"providers": {"anthropic": {"apiKey": "${NB_PROBE_UNSET}"}}}, {})
        facts["unsetVariable"] = summary(r)
        return facts
    pat = getattr(loader, "_ENV_REF_PATTERN", None)
    facts["pattern"] = pat.pattern if pat is not None else None
    facts["source"] = where(loader.resolve_config_env_vars)
    facts["patternSource"] = grep(r"\\\$\\\{\(\[A-Za-z_\]", "nanobot/config/loader.py", limit=3)
    facts["probes"] = {
        "unset": summary(run("interp-unset", {"providers": {"anthropic": {"apiKey": "${NB_PROBE_UNSET}"}}}, {})),
        "setEmpty": summary(run("interp-empty", {"providers": {"anthropic": {"apiKey": "${NB_PROBE_EMPTY}"}}},
                                {"NB_PROBE_EMPTY": ""})),
        "intField": summary(run("interp-int", {"gateway": {"port": "${NB_PROBE_PORT}"}}, {"NB_PROBE_PORT": "1"})),
        "inChannel": summary(run("interp-channel", {"channels": {"telegram": {"enabled": True, "token": "${NB_PROBE_TOK}",
                                                                               "allowFrom": ["${NB_PROBE_ID}"]}}},
                                 {"NB_PROBE_TOK": "t", "NB_PROBE_ID": "42"}), "channels"),
        "apiKeyPlaceholderPublic": summary(run("interp-api", {"api": {"host": "0.0.0.0", "apiKey": "${NB_PROBE_EMPTY}"}},
                                               {"NB_PROBE_EMPTY": ""}), "apiHost", "apiKeySet"),
    }
    facts["unsetVariable"] = facts["probes"]["unset"]["status"]
    return facts


# ---------------------------------------------------------------------------- facts in code

# (id, question, regex, files): every hit is a file:line in this release; no hit means "not here".
CODE_FACTS = [
    ("healthServerBind", "where the gateway opens its health endpoint on gateway.host (no hit: gateway.host opens nothing)",
     r"_health_server\(", "nanobot/**/*.py"),
    ("serveRequiresKeyOffLoopback", "`serve` refuses a non-loopback host without api.apiKey",
     r"not is_loopback_host\(host\) and not api_key", "nanobot/cli/*.py"),
    ("serveHost", "where `serve` takes its host from api.host", r"host if host is not None else api_cfg\.host",
     "nanobot/cli/*.py"),
    ("channelEnabledCheck", "how the channel manager decides a channel is enabled (truthiness of the raw value)",
     r'section\.get\("enabled"|bool\(raw_enabled\)|if not enabled:', "nanobot/channels/*.py"),
    ("feishuInstances", "where Feishu instances[] are expanded (each inherits the top-level keys)",
     r'^\s*instances = \w+\.get\("instances"\)', "nanobot/channels/feishu/*.py"),
    ("gatewayHostBound", "where gateway.host is used to open a socket (the health endpoint)",
     r"_health_server\(|start_server\(.*gateway|gateway\.host", "nanobot/**/*.py"),
    ("apiServe", "the `serve` command's host/key handling",
     r"def serve\(|api_key|is_loopback|_is_loopback", "nanobot/cli/*.py"),
    ("apiAuth", "bearer-token comparison in the OpenAI-compatible API",
     r"compare_digest|Authorization|api_key", "nanobot/api/**/*.py"),
    ("apiKeyRequiredForPublicHost", "the schema check that api.host 0.0.0.0/:: needs apiKey",
     r"0\.0\.0\.0|\"::\"", "nanobot/config/schema.py"),
    ("websocketTokenCheck", "the websocket channel's token requirement for public binds",
     r"0\.0\.0\.0|token_issue_secret|trusted_proxy_auth", "nanobot/channels/websocket*.py"),
    ("websocketTokenCheckPkg", "the same, channel packages (0.3.0+)",
     r"0\.0\.0\.0|token_issue_secret|trusted_proxy_auth", "nanobot/channels/websocket/*.py"),
    ("slackIsAllowed", "Slack's own is_allowed", r"def is_allowed", "nanobot/channels/slack*.py"),
    ("slackIsAllowedPkg", "Slack's own is_allowed (0.3.0+)", r"def is_allowed", "nanobot/channels/slack/*.py"),
    ("execEnv", "the environment the exec tool passes to commands",
     r"allowed_env_keys|os\.environ\.copy\(\)|env=os\.environ|\benv\s*=\s*\{", "nanobot/agent/tools/shell.py"),
    ("sandbox", "the exec sandbox backends", r"bwrap|def wrap_command|_BACKENDS", "nanobot/agent/tools/sandbox.py"),
    ("restrictToWorkspaceUse", "where tools.restrictToWorkspace is read",
     r"restrict_to_workspace", "nanobot/agent/loop.py"),
    ("ssrfWhitelist", "where ssrfWhitelist entries are parsed", r"ip_network|configure_ssrf_whitelist",
     "nanobot/security/network.py"),
    ("envInterpolation", "the ${VAR} pattern and the unset-variable error", r"_ENV_REF_PATTERN\s*=|not set", "nanobot/config/loader.py"),
    ("configError", "what the CLI does when the config cannot be loaded",
     r"Failed to load config|Using default configuration|ConfigLoadError\(|raise typer\.Exit\(1\)", "nanobot/config/loader.py"),
]


def code_facts():
    return {fid: {"what": q, "files": files, "hits": grep(rx, files)} for fid, q, rx, files in CODE_FACTS}


if __name__ == "__main__":
    main()
