"""Ask nanobot's own code what it makes of config files, for one nanobot version per process.

This is a copy of /work/shared/nanobot-oracle/nb_oracle.py (same interface, same fields), extended
for nanobot-harden's corpus: each verdict also carries the effective workspace, the tool settings
(`tools`), the MCP servers (`mcpServers`) and more channel fields, and `evaluate()` takes a hook
that extract.py uses to probe a release (is_allowed, raw channel sections).

Usage:
    NANOBOT_SRC=<dir holding nanobot/ at a release tag> python3 nb_oracle.py CASES_DIR OUT.jsonl [--version-tag TAG]
    NANOBOT_SRC=... python3 nb_oracle.py --one FILE [ENV_JSON]

CASES_DIR holds one sub-directory per case with config.json and, optionally, env.json (a flat
object of environment variables: NANOBOT_* overrides and ${VAR} targets).

For each case it runs what `nanobot gateway` runs up to the point where channels are built:
  1. nanobot.config.loader.load_config(path)         (the version's own loader + schema + migration)
  2. resolve_config_env_vars(...)                    (0.1.5 and later: the gateway's ${VAR} step)
  3. nanobot.channels.manager.ChannelManager(config)  (the version's own channel enabling logic,
                                                      each channel's own config model, and the
                                                      _validate_allow_from start-up check)
and prints the effective, security-relevant values as one JSON object per line.

Load status:
  ok        the file was used
  fallback  load_config caught the error and silently returned defaults (<= 0.2.1): nanobot runs
            on Config() + NANOBOT_* variables, ignoring the whole file
  refuse    load_config / resolve_config_env_vars raised (>= 0.2.2, or a ${VAR} that is unset):
            nanobot does not start
  crash     an exception nanobot does not catch (e.g. AttributeError in _migrate_config): nanobot
            does not start either
Third-party modules are stubbed by nbstub.py (loguru by fakelog.py, which records warnings).
"""
import contextlib
import io
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ["NANOBOT_SRC"]
sys.path[:0] = [SRC, HERE]
# A clean HOME so pairing stores, workspaces and data dirs never touch the real one.
_HOME = tempfile.mkdtemp(prefix="nbhome-")
os.environ["HOME"] = _HOME
os.environ.setdefault("LANG", "C.UTF-8")

import fakelog  # noqa: E402  (must come before nbstub: records loguru warnings)
import nbstub  # noqa: E402,F401

import nanobot.config.loader as loader  # noqa: E402
import nanobot.config.schema as schema  # noqa: E402

try:  # 0.3.0+: the manager installs optional channel deps first; with stubs, say they are present
    import nanobot.optional_features as _of  # noqa: E402

    _of.ensure_enabled_channel_dependencies = lambda names, plugins: {}
except Exception:
    pass

from nanobot.bus.queue import MessageBus  # noqa: E402
from nanobot.channels import manager as _mgr_mod  # noqa: E402

ChannelManager = _mgr_mod.ChannelManager

_orig_validate = getattr(ChannelManager, "_validate_allow_from", None)
_EXIT = []


def _validate_recording(self):
    """Run the version's own start-up check, but record its SystemExit instead of dying."""
    try:
        if _orig_validate is not None:
            _orig_validate(self)
    except SystemExit as e:
        _EXIT.append(str(e))


if _orig_validate is not None:
    ChannelManager._validate_allow_from = _validate_recording

CH_ATTRS = [
    "allow_from", "group_policy", "group_allow_from", "host", "port", "websocket_requires_token",
    "verify_dkim", "verify_spf", "validate_inbound_auth", "unix_socket_path", "path",
    # added for nanobot-harden
    "mode", "webhook_listen_host", "allow_channels", "token_ttl_s", "trusted_service_url_hosts",
]
SECRET_ATTRS = ["token", "token_issue_secret", "trusted_proxy_auth"]


def _plain(v):
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if hasattr(v, "model_dump"):
        try:
            return _plain(v.model_dump())
        except Exception:
            return repr(v)
    return repr(v)


def channel_view(cfg):
    """The security-relevant fields of one running channel's own config object."""
    out = {"configType": type(cfg).__name__}
    get = (lambda k: cfg.get(k, cfg.get(_camel(k), "<absent>"))) if isinstance(cfg, dict) else (lambda k: getattr(cfg, k, "<absent>"))
    for k in CH_ATTRS:
        v = get(k)
        if v != "<absent>":
            out[k] = _plain(v)
    for k in SECRET_ATTRS:
        v = get(k)
        if v != "<absent>":
            out[k + "_set"] = bool(v)
    for sub in ("dm", "group"):
        v = get(sub)
        if v != "<absent>" and v is not None:
            sv = v if isinstance(v, dict) else _plain(v)
            if isinstance(sv, dict):
                out[sub] = {k: sv.get(k, sv.get(_camel(k))) for k in ("enabled", "policy", "allow_from") if k in sv or _camel(k) in sv}
    return out


def _camel(k):
    parts = k.split("_")
    return parts[0] + "".join(p.title() for p in parts[1:])


def _g(obj, *names, default="<absent>"):
    cur = obj
    for n in names:
        if cur is None:
            return default
        cur = getattr(cur, n, default)
        if cur is default:
            return default
    return cur


# tools.* settings reported by the extended oracle: (field in the verdict, attribute path under
# config.tools). A field is left out where the release has no such setting.
TOOL_ATTRS = [
    ("execEnable", ("exec", "enable")),
    ("execTimeout", ("exec", "timeout")),
    ("execSandbox", ("exec", "sandbox")),
    ("execSandboxRoBinds", ("exec", "sandbox_ro_binds")),
    ("execSandboxRwBinds", ("exec", "sandbox_rw_binds")),
    ("execAllowPatterns", ("exec", "allow_patterns")),
    ("execDenyPatterns", ("exec", "deny_patterns")),
    ("execAllowedEnvKeys", ("exec", "allowed_env_keys")),
    ("execPathAppend", ("exec", "path_append")),
    ("execPathPrepend", ("exec", "path_prepend")),
    ("fileEnable", ("file", "enable")),
    ("webEnable", ("web", "enable")),
    ("webUseJinaReader", ("web", "fetch", "use_jina_reader")),
    ("ssrfWhitelist", ("ssrf_whitelist",)),
    ("myEnable", ("my", "enable")),
    ("myAllowSet", ("my", "allow_set")),
    ("webuiAllowLocalServiceAccess", ("webui_allow_local_service_access",)),
    ("webuiAllowRemotePackageInstall", ("webui_allow_remote_package_install",)),
    ("maxSessionMessagesPerMinute", ("max_session_messages_per_minute",)),
]


def tools_view(tools):
    out = {}
    for key, path in TOOL_ATTRS:
        v = _g(tools, *path)
        if v != "<absent>":
            out[key] = _plain(v)
    return out


def mcp_view(tools):
    servers = _g(tools, "mcp_servers")
    if servers == "<absent>":
        return "<absent>"
    out = {}
    for name, srv in (servers or {}).items():
        v = {}
        for key, attr in (("type", "type"), ("auth", "auth"), ("command", "command"), ("args", "args"),
                          ("cwd", "cwd"), ("enabledTools", "enabled_tools"), ("toolTimeout", "tool_timeout")):
            x = _g(srv, attr)
            if x != "<absent>":
                v[key] = _plain(x)
        url = _g(srv, "url")
        if url != "<absent>":
            v["urlSet"] = bool(url)
        for key, attr in (("envKeys", "env"), ("headerKeys", "headers")):
            x = _g(srv, attr)
            if x != "<absent>":
                v[key] = sorted(x or {})
        out[str(name)] = v
    return out


# The environment every case starts from. The shared oracle only removed NANOBOT_* variables
# between cases, so a ${VAR} target set by one case stayed set for the next ones (a case with
# an unset variable could then load as if it were set). Here each case gets exactly this base
# plus its own env.json, whatever the order and whatever the caller's shell holds.
_BASE_ENV = {"HOME": _HOME, "LANG": "C.UTF-8", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def evaluate(path: Path, env: dict, hook=None) -> dict:
    # environment: exactly the case's variables on top of a minimal base
    os.environ.clear()
    os.environ.update(_BASE_ENV)
    os.environ.update(env)
    fakelog.RECORDS.clear()
    _EXIT.clear()
    if hasattr(loader, "set_config_path"):
        loader.set_config_path(path)
    if hasattr(loader, "_current_config_path"):
        loader._current_config_path = path
    res = {"status": "ok"}
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            config = loader.load_config(path)
    except Exception as e:
        kind = "refuse" if isinstance(e, ValueError) else "crash"
        res.update(status=kind, error=f"{type(e).__name__}: {e}"[:400])
        return res
    warn = buf.getvalue() + "\n".join(t for lvl, t in fakelog.RECORDS if lvl in ("warning", "error"))
    if "Failed to load config" in warn:
        res.update(status="fallback", error=warn.strip()[:400])
    # the gateway's own ${VAR} step (0.1.5+); HEAD's load path raises for unset ones too
    if hasattr(loader, "resolve_config_env_vars"):
        try:
            config = loader.resolve_config_env_vars(config)
        except Exception as e:
            res.update(status="refuse", error=f"resolve_config_env_vars: {type(e).__name__}: {e}"[:400])
            return res
    tools = config.tools
    res["workspace"] = _g(config, "agents", "defaults", "workspace")
    res["restrictToWorkspace"] = _g(tools, "restrict_to_workspace")
    res["execRestrictToWorkspace"] = _g(tools, "exec", "restrict_to_workspace")
    res["gatewayHost"] = _g(config, "gateway", "host")
    res["gatewayPort"] = _g(config, "gateway", "port")
    if hasattr(config, "api"):
        res["apiHost"] = _g(config, "api", "host")
        res["apiPort"] = _g(config, "api", "port")
        k = _g(config, "api", "api_key")
        res["apiKeySet"] = None if k == "<absent>" else bool(str(k).strip())
    # raw channel sections as nanobot holds them (free-form dicts from 0.1.4.post5 on)
    ch = config.channels
    extra = getattr(ch, "model_extra", None) or {}
    res["channelSections"] = sorted(extra) if extra else None
    # channel manager: which channels start, with which parsed config
    chans = {}
    m = None
    try:
        m = ChannelManager(config, MessageBus())
        for name, c in m.channels.items():
            chans[name] = channel_view(c.config)
    except SystemExit as e:  # older managers without the hook
        _EXIT.append(str(e))
    except Exception as e:
        res["managerError"] = f"{type(e).__name__}: {e}"[:300]
    res["channels"] = chans
    if _EXIT:
        res["gatewayExit"] = _EXIT[0][:300]
    notes = [t for lvl, t in fakelog.RECORDS if lvl in ("warning", "error") and "channel" in t.lower()]
    if notes:
        res["channelWarnings"] = notes[:8]
    res["tools"] = tools_view(tools)
    res["mcpServers"] = mcp_view(tools)
    if hook is not None:
        res["probe"] = hook(config, m)
    return res


def main():
    args = sys.argv[1:]
    if args and args[0] == "--one":
        env = json.load(open(args[2])) if len(args) > 2 else {}
        print(json.dumps(evaluate(Path(args[1]).resolve(), env), default=str))
        return
    cases, out = Path(args[0]), args[1]
    with open(out, "w") as f:
        for d in sorted(cases.iterdir()):
            cfg = d / "config.json"
            if not cfg.exists():
                continue
            envf = d / "env.json"
            env = json.load(open(envf)) if envf.exists() else {}
            try:
                r = evaluate(cfg.resolve(), env)
            except Exception:
                r = {"status": "oracle-error", "error": traceback.format_exc()[-600:]}
            r["case"] = d.name
            f.write(json.dumps(r, default=str) + "\n")


if __name__ == "__main__":
    main()
