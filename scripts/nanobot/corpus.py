#!/usr/bin/env python3
"""Write the nanobot config corpus: test/fixtures/nanobot-corpus/cases/<id>/{config.json,env.json}.

    python3 corpus.py test/fixtures/nanobot-corpus

Deterministic: no randomness, no clock; the same script writes the same bytes. The cases are
built from the realistic samples of /work/shared/samples (the repository's copies in
test/fixtures/audit; they appear in the corpus as `sample--*`)
and from small hand-made shapes, one class of the issue "Every nanobot version read as it runs"
per id prefix:

  sample--     the three realistic samples and the guide's example, as they are, with and
               without the environment they expect, and hardened variants
  shape--      ordinary secure and insecure shapes, old and new layout, and the file each
               era's nanobot writes on `onboard` (from schemas/nanobot/<v>.json "defaults")
  chbad--      one bad value in one channel (typed channel models drop the whole file)
  section--    a top-level section, or the root, of the wrong JSON type
  env--        NANOBOT_* variables: fill-in, precedence, JSON decoding, collisions, invalid values
  feishu--     Feishu instances[]
  api--        the API server's host and key
  allow--      allowFrom omitted / [] / ["*"] / [id] for every channel any release knows
  policy--     the other access fields (Slack/Mattermost dm, group policies, Signal)
  number--     NaN, Infinity and numeric edge values
  chname--     misspelt or differently-cased channel section names
  gateway--    gateway.host / port
  newest--     settings of the newest releases (MCP, workspace, sandbox, websocket, msteams,
               webhooks, exec, SSRF, WebUI, sections older releases do not know)
  keys--       duplicate keys, camel/snake spellings, the old restrictToWorkspace place, typos,
               loose bool coercion, unknown top-level keys
  json--       files that are not valid strict JSON
  interp--     ${VAR} references

index.json beside cases/ lists every case with its class and a one-line description.
All secrets are fake.
"""
import copy
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# the realistic samples (/work/shared/samples), as the repository keeps them
SAMPLES = ROOT / "test" / "fixtures" / "audit"
SCHEMAS = ROOT / "schemas" / "nanobot"

CASES = []  # (id, description, content, env)


def case(cid, desc, content, env=None):
    assert all(c[0] != cid for c in CASES), cid
    CASES.append((cid, desc, content, env))


def merge(base, patch):
    """Deep merge: dicts merge, everything else replaces (None in patch is a JSON null)."""
    out = copy.deepcopy(base)
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def without(base, *path):
    out = copy.deepcopy(base)
    cur = out
    for p in path[:-1]:
        cur = cur[p]
    cur.pop(path[-1], None)
    return out


def sample(name):
    return (SAMPLES / name).read_text(encoding="utf-8")


TG = {"enabled": True, "token": "123456:FAKE-telegram-token", "allowFrom": ["123456789"]}

# a small hardened file in the current layout
HARD = {
    "agents": {"defaults": {"workspace": "~/.nanobot/workspace"}},
    "tools": {"restrictToWorkspace": True, "exec": {"timeout": 30}},
    "gateway": {"host": "127.0.0.1", "port": 18790},
    "channels": {"telegram": TG},
}

# the same in the layout of v0.1.3.post4 (the hardening guide's layout)
HARD_OLD = {
    "agents": {"defaults": {"workspace": "~/.nanobot/workspace"}},
    "tools": {"exec": {"timeout": 30, "restrictToWorkspace": True}},
    "gateway": {"host": "127.0.0.1", "port": 18790},
    "channels": {"telegram": TG},
}

# every channel any release knows, with the fields that make it start (fake secrets)
CHANNELS = {
    "telegram": {"token": "123456:FAKE-telegram-token"},
    "whatsapp": {"bridgeUrl": "ws://127.0.0.1:3001"},
    "discord": {"token": "FAKE.discord.token"},
    "feishu": {"appId": "cli_FAKE", "appSecret": "FAKE-feishu-secret"},
    "mochat": {"clawToken": "FAKE-claw-token"},
    "dingtalk": {"clientId": "dingFAKE", "clientSecret": "FAKE-dingtalk-secret"},
    "email": {"consentGranted": True, "imapHost": "imap.example.com", "imapUsername": "bot@example.com",
              "imapPassword": "FAKE-imap", "smtpHost": "smtp.example.com", "smtpUsername": "bot@example.com",
              "smtpPassword": "FAKE-smtp", "fromAddress": "bot@example.com"},
    "slack": {"botToken": "xoxb-FAKE", "appToken": "xapp-FAKE"},
    "qq": {"appId": "1020304050", "secret": "FAKE-qq-secret"},
    "matrix": {"homeserver": "https://matrix.example.com", "userId": "@bot:example.com", "accessToken": "FAKE-matrix"},
    "wecom": {"botId": "FAKE-bot", "secret": "FAKE-wecom-secret"},
    "weixin": {"token": "FAKE-weixin-token"},
    "websocket": {"token": "FAKE-websocket-token"},
    "msteams": {"appId": "00000000-0000-0000-0000-000000000000", "appPassword": "FAKE-teams", "host": "127.0.0.1"},
    "napcat": {"wsUrl": "ws://127.0.0.1:3001", "accessToken": "FAKE-napcat"},
    "signal": {"phoneNumber": "+15550001111"},
    "mattermost": {"serverUrl": "https://mm.example.com", "token": "FAKE-mattermost-token"},
}
IDS = {
    "telegram": "123456789", "whatsapp": "15551234567", "discord": "123456789012345678", "feishu": "ou_FAKE0001",
    "mochat": "user-1", "dingtalk": "staff-1", "email": "owner@example.com", "slack": "U0123456", "qq": "OPENID1",
    "matrix": "@owner:example.com", "wecom": "owner", "weixin": "wxid_owner", "websocket": "client-1",
    "msteams": "aad-object-id-1", "napcat": "10001", "signal": "+15552223333", "mattermost": "owner-id",
}


def channel(name, **extra):
    return {"enabled": True, **CHANNELS[name], **extra}


# ---------------------------------------------------------------------------- sample--

def samples():
    cur = sample("current-v0.3-insecure.json")
    old = sample("v0.1.4-insecure.json")
    traps = sample("hand-edited-traps.json")
    guide = (ROOT / "test" / "fixtures" / "audit" / "guide-hardened.json").read_text(encoding="utf-8")
    env_cur = {"IMAP_PASSWORD": "FAKE-imap-password", "ANTHROPIC_API_KEY": "sk-ant-FAKE"}
    env_traps = {"ANTHROPIC_API_KEY": "sk-ant-FAKE", "TELEGRAM_BOT_TOKEN": "123456:FAKE"}
    case("sample--current-v0.3-insecure", "the HEAD-shaped insecure sample with the variables it references", cur, env_cur)
    case("sample--current-v0.3-insecure-no-env", "the HEAD-shaped sample without its ${VAR} targets", cur)
    case("sample--v0.1.4-insecure", "the v0.1.4-shaped insecure sample (everything written, fixed channel fields)", old)
    case("sample--hand-edited-traps", "the hand-edited traps sample with the variables it references", traps, env_traps)
    case("sample--hand-edited-traps-no-env", "the traps sample without its ${VAR} targets", traps)
    case("sample--guide-hardened", "the hardening guide's own example (old tools.exec.restrictToWorkspace place)", guide)

    c = json.loads(cur)
    hard = merge(c, {
        "gateway": {"host": "127.0.0.1"},
        "api": {"host": "127.0.0.1"},
        "tools": {"restrictToWorkspace": True, "exec": {"timeout": 30, "sandbox": "bwrap", "allowPatterns": [],
                                                        "allowedEnvKeys": []},
                  "ssrfWhitelist": [], "webuiAllowRemotePackageInstall": False, "my": {"allowSet": False}},
    })
    for name, ch in hard["channels"].items():
        if isinstance(ch, dict) and "allowFrom" in ch:
            ch["allowFrom"] = [IDS.get(name, "owner")]
    hard["channels"]["websocket"]["host"] = "127.0.0.1"
    case("sample--current-v0.3-hardened", "the HEAD sample with the hardening applied (binds, restrict, sandbox, ids)",
         hard, env_cur)
    c2 = copy.deepcopy(c)
    for k in ("transcription", "modelPresets", "api"):
        c2.pop(k, None)
    c2["agents"]["defaults"].pop("modelPreset", None)
    case("sample--current-v0.3-without-new-sections",
         "the HEAD sample without the sections older releases reject (transcription, modelPresets and the "
         "modelPreset naming one, api)", c2, env_cur)
    o = json.loads(old)
    oh = merge(o, {"gateway": {"host": "127.0.0.1"}, "tools": {"restrictToWorkspace": True, "exec": {"timeout": 30}}})
    for name, ch in oh["channels"].items():
        if isinstance(ch, dict) and "allowFrom" in ch:
            ch["allowFrom"] = [IDS.get(name, "owner")]
    case("sample--v0.1.4-hardened", "the v0.1.4 sample with the hardening applied", oh)
    case("sample--v0.1.4-plus-schema-key", "the v0.1.4 sample with a top-level \"$schema\" key added",
         merge({"$schema": "https://example.com/nanobot.schema.json"}, o))
    case("sample--v0.1.4-plus-api-section", "the v0.1.4 sample with an api section (unknown before 0.1.5)",
         merge(o, {"api": {"host": "127.0.0.1", "port": 8900}}))
    t = json.loads(traps.replace('"host": "127.0.0.1",\n    "port": 18790,\n    "host": "0.0.0.0"',
                                 '"host": "0.0.0.0",\n    "port": 18790'))
    t = merge(t, {"tools": {"restrictToWorkspace": True}})
    case("sample--hand-edited-traps-fixed", "the traps sample with restrictToWorkspace spelt right", t, env_traps)


# ---------------------------------------------------------------------------- shape--

def shapes():
    case("shape--empty-object", "{}: every default", {})
    case("shape--hardened-current-layout", "a small hardened file, current layout", HARD)
    case("shape--hardened-old-layout", "the same, hardening guide layout (tools.exec.restrictToWorkspace)", HARD_OLD)
    case("shape--hardened-both-layouts", "restrictToWorkspace in both places",
         merge(HARD, {"tools": {"exec": {"restrictToWorkspace": True}}}))
    case("shape--insecure-open", "gateway 0.0.0.0, no restriction, telegram open to everyone",
         {"tools": {"restrictToWorkspace": False}, "gateway": {"host": "0.0.0.0"},
          "channels": {"telegram": {**TG, "allowFrom": ["*"]}}})
    case("shape--insecure-empty-allowfrom", "telegram enabled with allowFrom: []",
         merge(HARD, {"channels": {"telegram": {"allowFrom": []}}}))
    case("shape--insecure-no-allowfrom", "telegram enabled without allowFrom", without(HARD, "channels", "telegram", "allowFrom"))
    case("shape--providers-only", "just a provider key (the usual first edit)",
         {"providers": {"openrouter": {"apiKey": "sk-or-v1-FAKE"}}, "agents": {"defaults": {"model": "anthropic/claude-sonnet-4.5"}}})
    case("shape--custom-provider", "an unknown provider name (custom OpenAI-compatible in later releases)",
         {"providers": {"companyProxy": {"apiKey": "FAKE", "apiBase": "https://llm.example.com/v1"}}})
    # the file each era writes on `onboard` (Config() saved), read by every release
    for v in ("0.1.3.post4", "0.1.4", "0.1.4.post5", "0.1.5.post1", "0.2.0", "0.2.2", "0.3.0"):
        p = SCHEMAS / f"{v}.json"
        if p.exists():
            d = json.loads(p.read_text(encoding="utf-8"))["defaults"]
            case(f"shape--onboard-{v}", f"the file nanobot {v} writes for a fresh install (its Config() saved)", d)


# ---------------------------------------------------------------------------- chbad--

def channel_bad_values():
    tg_variants = [
        ("allowfrom-int", "an integer id in allowFrom", {"allowFrom": [123456789]}),
        ("allowfrom-mixed", "an integer beside a string in allowFrom", {"allowFrom": ["123456789", 42]}),
        ("allowfrom-string-star", "allowFrom: \"*\" (a string)", {"allowFrom": "*"}),
        ("allowfrom-string-id", "allowFrom: \"123456789\" (a string)", {"allowFrom": "123456789"}),
        ("allowfrom-null", "allowFrom: null", {"allowFrom": None}),
        ("allowfrom-object", "allowFrom: {}", {"allowFrom": {}}),
        ("enabled-null", "enabled: null", {"enabled": None}),
        ("enabled-string-false", "enabled: \"false\"", {"enabled": "false"}),
        ("enabled-string-yes", "enabled: \"yes\"", {"enabled": "yes"}),
        ("enabled-string-zero", "enabled: \"0\"", {"enabled": "0"}),
        ("enabled-one", "enabled: 1", {"enabled": 1}),
        ("enabled-zero", "enabled: 0", {"enabled": 0}),
        ("enabled-two", "enabled: 2", {"enabled": 2}),
        ("token-int", "token: 12345 (not a string)", {"token": 12345}),
        ("token-null", "token: null", {"token": None}),
        ("group-policy-bad", "groupPolicy: \"everyone\" (not a choice)", {"groupPolicy": "everyone"}),
        ("unknown-key", "an unknown key in the channel", {"allowFromm": ["*"]}),
    ]
    for slug, desc, patch in tg_variants:
        case(f"chbad--telegram-{slug}", f"hardened file, telegram: {desc}", merge(HARD, {"channels": {"telegram": patch}}))
    for slug, desc, val in [("list", "[]", []), ("string", "\"on\"", "on"), ("null", "null", None), ("true", "true", True),
                            ("number", "1", 1)]:
        case(f"chbad--telegram-section-{slug}", f"hardened file with channels.telegram: {desc}",
             merge(HARD, {"channels": {"telegram": val}}))
    for name in ("discord", "whatsapp", "feishu", "slack", "email", "matrix"):
        base = merge(HARD, {"channels": {name: channel(name, allowFrom=[IDS[name]])}})
        case(f"chbad--{name}-allowfrom-int", f"hardened file plus {name} with an integer in allowFrom",
             merge(base, {"channels": {name: {"allowFrom": [1234]}}}))
        case(f"chbad--{name}-enabled-null", f"hardened file plus {name} with enabled: null",
             merge(base, {"channels": {name: {"enabled": None}}}))
        case(f"chbad--{name}-section-list", f"hardened file plus channels.{name}: []",
             merge(HARD, {"channels": {name: []}}))
        case(f"chbad--{name}-disabled-bad-value", f"hardened file plus a disabled {name} with a bad value",
             merge(HARD, {"channels": {name: {"enabled": False, "allowFrom": [1234]}}}))


# ---------------------------------------------------------------------------- section--

def sections():
    for sect, vals in [("tools", [("list", []), ("null", None), ("string", "x"), ("number", 0)]),
                       ("channels", [("list", []), ("null", None), ("string", "x")]),
                       ("gateway", [("list", []), ("null", None)]),
                       ("agents", [("list", []), ("null", None)]),
                       ("providers", [("list", [])]),
                       ("api", [("list", []), ("null", None)])]:
        for slug, v in vals:
            case(f"section--{sect}-{slug}", f"hardened file with {sect}: {json.dumps(v)}", merge(HARD, {sect: v}))
    case("section--agents-defaults-list", "agents.defaults: []", merge(HARD, {"agents": {"defaults": []}}))
    case("section--tools-exec-list", "tools.exec: []", merge(HARD, {"tools": {"exec": []}}))
    case("section--tools-exec-null", "tools.exec: null", merge(HARD, {"tools": {"exec": None}}))
    case("section--tools-web-list", "tools.web: []", merge(HARD, {"tools": {"web": []}}))
    case("section--tools-mcpservers-list", "tools.mcpServers: []", merge(HARD, {"tools": {"mcpServers": []}}))
    case("section--tools-exec-list-old-key", "tools.exec: [] with the old restrictToWorkspace wanted",
         {"tools": {"exec": [], "restrictToWorkspace": True}})
    for slug, text in [("array", "[]\n"), ("null", "null\n"), ("string", "\"config\"\n"), ("number", "1\n"),
                       ("true", "true\n"), ("array-of-config", "[" + json.dumps(HARD) + "]\n")]:
        case(f"section--root-{slug}", f"the root is {slug.replace('-', ' ')}", text)


# ---------------------------------------------------------------------------- env--

def env_cases():
    tg_no_allow = merge(without(HARD, "channels", "telegram", "allowFrom"), {})
    case("env--channel-allowfrom-json-star", "NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM='[\"*\"]', file without allowFrom",
         tg_no_allow, {"NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM": '["*"]'})
    case("env--channel-allowfrom-json-id", "NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM='[\"123456789\"]', file without allowFrom",
         tg_no_allow, {"NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM": '["123456789"]'})
    case("env--channel-allowfrom-plain-star", "NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM=* (not JSON)",
         tg_no_allow, {"NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM": "*"})
    case("env--channel-allowfrom-vs-file", "the JSON variable while the file has allowFrom [id]",
         HARD, {"NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM": '["*"]'})
    case("env--channel-allowfrom-vs-file-snake", "the JSON variable while the file has allow_from [id] (snake)",
         merge(tg_no_allow, {"channels": {"telegram": {"allow_from": ["123456789"]}}}),
         {"NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM": '["*"]'})
    case("env--channel-enabled-by-env", "telegram enabled entirely from the environment, empty file", {},
         {"NANOBOT_CHANNELS__TELEGRAM__ENABLED": "true", "NANOBOT_CHANNELS__TELEGRAM__TOKEN": "123456:FAKE",
          "NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM": '["123456789"]'})
    case("env--channel-enabled-by-env-no-allowfrom", "telegram enabled and token from the environment, no allowFrom", {},
         {"NANOBOT_CHANNELS__TELEGRAM__ENABLED": "true", "NANOBOT_CHANNELS__TELEGRAM__TOKEN": "123456:FAKE"})
    case("env--channel-disabled-string", "NANOBOT_CHANNELS__TELEGRAM__ENABLED=false, file section without enabled",
         without(HARD, "channels", "telegram", "enabled"), {"NANOBOT_CHANNELS__TELEGRAM__ENABLED": "false"})
    case("env--websocket-host-public", "NANOBOT_CHANNELS__WEBSOCKET__HOST=0.0.0.0, no websocket section",
         HARD, {"NANOBOT_CHANNELS__WEBSOCKET__HOST": "0.0.0.0"})
    case("env--websocket-disabled-string", "NANOBOT_CHANNELS__WEBSOCKET__ENABLED=false, no websocket section",
         HARD, {"NANOBOT_CHANNELS__WEBSOCKET__ENABLED": "false"})
    case("env--gateway-host-fills-absent", "NANOBOT_GATEWAY__HOST=0.0.0.0, file without gateway.host",
         without(HARD, "gateway", "host"), {"NANOBOT_GATEWAY__HOST": "0.0.0.0"})
    case("env--gateway-host-file-wins", "NANOBOT_GATEWAY__HOST=0.0.0.0, file says 127.0.0.1",
         HARD, {"NANOBOT_GATEWAY__HOST": "0.0.0.0"})
    case("env--gateway-host-empty", "NANOBOT_GATEWAY__HOST= (empty), file without gateway.host",
         without(HARD, "gateway", "host"), {"NANOBOT_GATEWAY__HOST": ""})
    case("env--restrict-false-file-absent", "NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE=false, file without it",
         without(HARD, "tools", "restrictToWorkspace"), {"NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE": "false"})
    case("env--restrict-false-file-true", "NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE=false, file says true",
         HARD, {"NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE": "false"})
    case("env--restrict-true-file-absent", "NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE=true, file without it",
         without(HARD, "tools", "restrictToWorkspace"), {"NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE": "true"})
    case("env--restrict-true-old-layout", "NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE=true with the old-layout file",
         HARD_OLD, {"NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE": "true"})
    case("env--restrict-lowercase-name", "nanobot_tools__restrict_to_workspace=true (lower-case name)",
         without(HARD, "tools", "restrictToWorkspace"), {"nanobot_tools__restrict_to_workspace": "true"})
    case("env--restrict-camel-segment", "NANOBOT_TOOLS__RESTRICTTOWORKSPACE=true",
         without(HARD, "tools", "restrictToWorkspace"), {"NANOBOT_TOOLS__RESTRICTTOWORKSPACE": "true"})
    case("env--port-invalid-file-sets-port", "NANOBOT_GATEWAY__PORT=abc while the file sets gateway.port",
         HARD, {"NANOBOT_GATEWAY__PORT": "abc"})
    case("env--port-invalid-file-without-port", "NANOBOT_GATEWAY__PORT=abc, file without gateway.port",
         without(HARD, "gateway", "port"), {"NANOBOT_GATEWAY__PORT": "abc"})
    case("env--timeout-invalid-file-sets-it", "NANOBOT_TOOLS__EXEC__TIMEOUT=soon while the file sets the timeout",
         HARD, {"NANOBOT_TOOLS__EXEC__TIMEOUT": "soon"})
    case("env--timeout-zero", "NANOBOT_TOOLS__EXEC__TIMEOUT=0, file without a timeout",
         without(HARD, "tools", "exec"), {"NANOBOT_TOOLS__EXEC__TIMEOUT": "0"})
    case("env--section-collision-api", "NANOBOT_API=secret, used as ${NANOBOT_API} by a provider",
         merge(HARD, {"providers": {"openai": {"apiKey": "${NANOBOT_API}"}}}), {"NANOBOT_API": "sk-FAKE"})
    case("env--section-collision-tools", "NANOBOT_TOOLS=secret", HARD, {"NANOBOT_TOOLS": "FAKE-secret"})
    case("env--section-collision-channels", "NANOBOT_CHANNELS=secret", HARD, {"NANOBOT_CHANNELS": "FAKE-secret"})
    case("env--whole-section-json", "NANOBOT_TOOLS='{\"restrictToWorkspace\": true}', empty file", {},
         {"NANOBOT_TOOLS": '{"restrictToWorkspace": true}'})
    case("env--whole-section-json-file-has-tools", "NANOBOT_TOOLS JSON while the file has its own tools section",
         merge(HARD, {"tools": {"restrictToWorkspace": False}}), {"NANOBOT_TOOLS": '{"restrictToWorkspace": true}'})
    case("env--api-host-public", "NANOBOT_API__HOST=0.0.0.0, no api section",
         HARD, {"NANOBOT_API__HOST": "0.0.0.0"})
    case("env--api-host-public-with-key", "NANOBOT_API__HOST=0.0.0.0 and NANOBOT_API__API_KEY",
         HARD, {"NANOBOT_API__HOST": "0.0.0.0", "NANOBOT_API__API_KEY": "FAKE-api-key"})
    case("env--workspace-root", "NANOBOT_AGENTS__DEFAULTS__WORKSPACE=/, file without a workspace",
         without(HARD, "agents"), {"NANOBOT_AGENTS__DEFAULTS__WORKSPACE": "/"})
    case("env--with-invalid-json-file", "NANOBOT_GATEWAY__HOST=0.0.0.0 and a file with a syntax error",
         json.dumps(HARD, indent=2)[:-2] + "\n", {"NANOBOT_GATEWAY__HOST": "0.0.0.0"})
    case("env--with-unknown-top-level-key", "NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE=true and a file with $schema",
         merge({"$schema": "x"}, without(HARD, "tools", "restrictToWorkspace")),
         {"NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE": "true"})
    case("env--provider-key", "NANOBOT_PROVIDERS__ANTHROPIC__API_KEY fills a provider key absent from the file",
         HARD, {"NANOBOT_PROVIDERS__ANTHROPIC__API_KEY": "sk-ant-FAKE"})
    case("env--unrelated-nanobot-names", "NANOBOT_* names that are no setting (ignored)",
         HARD, {"NANOBOT_WEB_TOKEN": "x", "NANOBOT_LLM_TIMEOUT_S": "5", "NANOBOT_API_KEY": "FAKE"})


# ---------------------------------------------------------------------------- feishu--

def feishu():
    top = channel("feishu", allowFrom=["ou_OWNER"])
    inst = {"id": "team", "appId": "cli_TEAM", "appSecret": "FAKE-team-secret"}
    case("feishu--instance-star", "feishu instances[] with one instance open to everyone",
         merge(HARD, {"channels": {"feishu": {**top, "instances": [{**inst, "allowFrom": ["*"]}]}}}))
    case("feishu--instance-inherits-empty", "an instance without allowFrom under a top-level allowFrom: []",
         merge(HARD, {"channels": {"feishu": {**top, "allowFrom": [], "instances": [inst]}}}))
    case("feishu--instance-inherits-star", "an instance without allowFrom under a top-level allowFrom: [\"*\"]",
         merge(HARD, {"channels": {"feishu": {**top, "allowFrom": ["*"], "instances": [inst]}}}))
    case("feishu--instance-with-id", "an instance with its own allowFrom id",
         merge(HARD, {"channels": {"feishu": {**top, "instances": [{**inst, "allowFrom": ["ou_TEAM"]}]}}}))
    case("feishu--two-instances", "two instances, one open, one restricted",
         merge(HARD, {"channels": {"feishu": {**top, "instances": [
             {**inst, "allowFrom": ["*"]}, {"id": "ops", "appId": "cli_OPS", "appSecret": "FAKE", "allowFrom": ["ou_OPS"]}]}}}))
    case("feishu--instances-empty", "instances: []", merge(HARD, {"channels": {"feishu": {**top, "instances": []}}}))
    case("feishu--instance-disabled", "an open instance with enabled: false",
         merge(HARD, {"channels": {"feishu": {**top, "instances": [{**inst, "enabled": False, "allowFrom": ["*"]}]}}}))
    case("feishu--instances-not-list", "instances: \"team\"", merge(HARD, {"channels": {"feishu": {**top, "instances": "team"}}}))
    case("feishu--instance-no-id", "an instance without an id",
         merge(HARD, {"channels": {"feishu": {**top, "instances": [{"appId": "cli_X", "appSecret": "FAKE", "allowFrom": ["*"]}]}}}))
    case("feishu--instances-duplicate-id", "two instances with the same id",
         merge(HARD, {"channels": {"feishu": {**top, "instances": [{**inst, "allowFrom": ["ou_A"]}, {**inst, "allowFrom": ["*"]}]}}}))


# ---------------------------------------------------------------------------- api--

def api():
    for slug, a, env in [
        ("public-no-key", {"host": "0.0.0.0"}, None),
        ("public-with-key", {"host": "0.0.0.0", "apiKey": "FAKE-api-key"}, None),
        ("ipv6-any-no-key", {"host": "::"}, None),
        ("empty-host-no-key", {"host": ""}, None),
        ("bracketed-ipv6-no-key", {"host": "[::]"}, None),
        ("lan-ip-no-key", {"host": "192.168.1.10"}, None),
        ("loopback-with-key", {"host": "127.0.0.1", "apiKey": "FAKE-api-key"}, None),
        ("key-only", {"apiKey": "FAKE-api-key"}, None),
        ("snake-key", {"host": "0.0.0.0", "api_key": "FAKE-api-key"}, None),
        ("public-key-var-set", {"host": "0.0.0.0", "apiKey": "${NANOBOT_API_KEY}"}, {"NANOBOT_API_KEY": "FAKE"}),
        ("public-key-var-empty", {"host": "0.0.0.0", "apiKey": "${NANOBOT_API_KEY}"}, {"NANOBOT_API_KEY": ""}),
        ("public-key-var-unset", {"host": "0.0.0.0", "apiKey": "${NANOBOT_API_KEY}"}, None),
        ("public-key-blank", {"host": "0.0.0.0", "apiKey": "   "}, None),
        ("port-string", {"port": "8900"}, None),
        ("empty-section", {}, None),
    ]:
        case(f"api--{slug}", f"hardened file with api {json.dumps(a)}", merge(HARD, {"api": a}), env)


# ---------------------------------------------------------------------------- allow--

def allow_lists():
    for name in CHANNELS:
        for slug, val in (("omitted", None), ("empty", []), ("star", ["*"]), ("id", [IDS[name]])):
            sec = channel(name)
            if val is not None:
                sec["allowFrom"] = val
            case(f"allow--{name}-{slug}", f"{name} enabled, allowFrom {slug if val is None else json.dumps(val)}",
                 merge(without(HARD, "channels"), {"channels": {name: sec}}))
    case("allow--snake-only", "telegram with allow_from (snake) only", merge(without(HARD, "channels"), {
        "channels": {"telegram": {**channel("telegram"), "allow_from": ["123456789"]}}}))
    case("allow--camel-and-snake", "telegram with allowFrom [id] and allow_from [\"*\"]", merge(without(HARD, "channels"), {
        "channels": {"telegram": {**channel("telegram"), "allowFrom": ["123456789"], "allow_from": ["*"]}}}))
    case("allow--star-among-ids", "telegram allowFrom with an id and \"*\"", merge(without(HARD, "channels"), {
        "channels": {"telegram": {**channel("telegram"), "allowFrom": ["123456789", "*"]}}}))
    case("allow--two-channels-one-empty", "telegram with an id, discord with []", merge(without(HARD, "channels"), {
        "channels": {"telegram": channel("telegram", allowFrom=["123456789"]), "discord": channel("discord", allowFrom=[])}}))
    case("allow--disabled-channel-empty", "a disabled channel with allowFrom: []", merge(HARD, {
        "channels": {"discord": {**CHANNELS["discord"], "enabled": False, "allowFrom": []}}}))


def policies():
    base = without(HARD, "channels")
    case("policy--slack-dm-open", "slack with dm.policy open and no allowFrom",
         merge(base, {"channels": {"slack": channel("slack", dm={"enabled": True, "policy": "open"})}}))
    case("policy--slack-dm-allowlist", "slack with dm.policy allowlist and dm.allowFrom",
         merge(base, {"channels": {"slack": channel("slack", dm={"enabled": True, "policy": "allowlist",
                                                                      "allowFrom": ["U0123456"]}, allowFrom=["U0123456"])}}))
    case("policy--slack-group-open", "slack with groupPolicy open",
         merge(base, {"channels": {"slack": channel("slack", groupPolicy="open", allowFrom=["U0123456"])}}))
    case("policy--mattermost-dm-allowlist", "mattermost with dm.policy allowlist",
         merge(base, {"channels": {"mattermost": channel("mattermost", dm={"policy": "allowlist", "allowFrom": ["owner-id"]})}}))
    case("policy--signal-dm-open", "signal with dm.policy open",
         merge(base, {"channels": {"signal": channel("signal", dm={"enabled": True, "policy": "open"})}}))
    case("policy--signal-group-enabled", "signal with groups enabled, policy open",
         merge(base, {"channels": {"signal": channel("signal", dm={"enabled": True, "policy": "allowlist",
                                                                        "allowFrom": ["+15552223333"]},
                                                     group={"enabled": True, "policy": "open"})}}))
    case("policy--whatsapp-group-open", "whatsapp with groupPolicy open",
         merge(base, {"channels": {"whatsapp": channel("whatsapp", allowFrom=["15551234567"], groupPolicy="open")}}))
    case("policy--matrix-group-open", "matrix with groupPolicy open",
         merge(base, {"channels": {"matrix": channel("matrix", allowFrom=["@owner:example.com"], groupPolicy="open")}}))
    case("policy--telegram-group-open", "telegram with groupPolicy open",
         merge(base, {"channels": {"telegram": channel("telegram", allowFrom=["123456789"], groupPolicy="open")}}))
    case("policy--discord-group-open-allow-channels", "discord groupPolicy open with allowChannels",
         merge(base, {"channels": {"discord": channel("discord", allowFrom=["123456789012345678"], groupPolicy="open",
                                                      allowChannels=["987654321"])}}))
    case("policy--email-no-dkim-spf", "email with verifyDkim and verifySpf off",
         merge(base, {"channels": {"email": channel("email", allowFrom=["owner@example.com"], verifyDkim=False, verifySpf=False)}}))


# ---------------------------------------------------------------------------- number--

def numbers():
    raw = json.dumps(HARD, indent=2)
    for slug, desc, text in [
        ("nan-temperature", "NaN as agents.defaults.temperature", raw.replace('"workspace"', '"temperature": NaN,\n      "workspace"')),
        ("infinity-timeout", "Infinity as tools.exec.timeout", raw.replace('"timeout": 30', '"timeout": Infinity')),
        ("minus-infinity-timeout", "-Infinity as tools.exec.timeout", raw.replace('"timeout": 30', '"timeout": -Infinity')),
        ("nan-port", "NaN as gateway.port", raw.replace('"port": 18790', '"port": NaN')),
        ("huge-timeout", "1e400 (infinity to Python) as tools.exec.timeout", raw.replace('"timeout": 30', '"timeout": 1e400')),
        ("float-timeout", "30.5 as tools.exec.timeout", raw.replace('"timeout": 30', '"timeout": 30.5')),
        ("float-whole-timeout", "30.0 as tools.exec.timeout", raw.replace('"timeout": 30', '"timeout": 30.0')),
        ("string-timeout", "\"30\" as tools.exec.timeout", raw.replace('"timeout": 30', '"timeout": "30"')),
        ("zero-timeout", "0 as tools.exec.timeout (no limit)", raw.replace('"timeout": 30', '"timeout": 0')),
        ("negative-timeout", "-1 as tools.exec.timeout", raw.replace('"timeout": 30', '"timeout": -1')),
        ("big-timeout", "86400 as tools.exec.timeout", raw.replace('"timeout": 30', '"timeout": 86400')),
    ]:
        assert text != raw, slug
        case(f"number--{slug}", f"hardened file with {desc}", text + "\n")


# ---------------------------------------------------------------------------- chname--

def channel_names():
    for slug, key in [("typo-telegramm", "telegramm"), ("capital-telegram", "Telegram"), ("upper-telegram", "TELEGRAM"),
                      ("camel-whatsapp", "whatsApp"), ("camel-msteams", "msTeams"), ("snake-ms-teams", "ms_teams"),
                      ("camel-dingtalk", "dingTalk"), ("camel-websocket", "webSocket"), ("typo-discrod", "discord_")]:
        base = {"telegramm": "telegram", "Telegram": "telegram", "TELEGRAM": "telegram", "whatsApp": "whatsapp",
                "msTeams": "msteams", "ms_teams": "msteams", "dingTalk": "dingtalk", "webSocket": "websocket",
                "discord_": "discord"}[key]
        sec = channel(base, allowFrom=["*"])
        if base == "websocket":
            sec["host"] = "0.0.0.0"
        case(f"chname--{slug}", f"a channel section named {key!r} (open to everyone)",
             merge(without(HARD, "channels"), {"channels": {key: sec}}))


# ---------------------------------------------------------------------------- gateway--

def gateway():
    for slug, g in [("public", {"host": "0.0.0.0"}), ("empty-host", {"host": ""}), ("ipv6-any", {"host": "::"}),
                    ("loopback", {"host": "127.0.0.1"}), ("localhost", {"host": "localhost"}),
                    ("lan-ip", {"host": "192.168.1.5"}), ("port-string", {"port": "18790"}), ("port-zero", {"port": 0}),
                    ("host-null", {"host": None}), ("host-number", {"host": 0})]:
        case(f"gateway--{slug}", f"hardened file with gateway {json.dumps(g)}", merge(HARD, {"gateway": g}))
    case("gateway--absent", "no gateway section (the release's default host)", without(HARD, "gateway"))


# ---------------------------------------------------------------------------- newest--

def newest():
    T = lambda patch: merge(HARD, {"tools": patch})  # noqa: E731
    mcp = [
        ("mcp-filesystem-root", "a stdio MCP filesystem server serving /",
         {"fs": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/"]}}),
        ("mcp-env-secret", "a stdio MCP server with a plaintext token in env",
         {"github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
                     "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_FAKE"}}}),
        ("mcp-http-headers", "an HTTP MCP server with a bearer header",
         {"crm": {"url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer FAKE"}}}),
        ("mcp-enabled-tools-empty", "an MCP server with enabledTools: []", {"fs": {"command": "npx", "args": ["x"], "enabledTools": []}}),
        ("mcp-enabled-tools-some", "an MCP server with enabledTools listed",
         {"fs": {"command": "npx", "args": ["x"], "enabledTools": ["read_file"]}}),
        ("mcp-oauth", "an HTTP MCP server with auth: oauth", {"crm": {"url": "https://mcp.example.com/mcp", "auth": "oauth"}}),
        ("mcp-type-sse", "an MCP server with type sse", {"crm": {"type": "sse", "url": "https://mcp.example.com/sse"}}),
        ("mcp-type-bad", "an MCP server with type \"ws\" (not a choice)", {"crm": {"type": "ws", "url": "wss://mcp.example.com"}}),
        ("mcp-args-string", "an MCP server with args as a string", {"fs": {"command": "npx", "args": "-y server /"}}),
        ("mcp-cwd-root", "an MCP server with cwd /", {"fs": {"command": "npx", "args": ["x"], "cwd": "/"}}),
    ]
    for slug, desc, servers in mcp:
        case(f"newest--{slug}", f"hardened file with {desc}", T({"mcpServers": servers}))
    for slug, ws in [("root", "/"), ("home", "~"), ("etc", "/etc"), ("empty", ""), ("relative-up", "../"),
                     ("custom", "/srv/nanobot/workspace")]:
        case(f"newest--workspace-{slug}", f"hardened file with agents.defaults.workspace {ws!r}",
             merge(HARD, {"agents": {"defaults": {"workspace": ws}}}))
    for slug, patch in [("sandbox-bwrap", {"sandbox": "bwrap"}), ("sandbox-unknown", {"sandbox": "docker"}),
                        ("sandbox-ro-binds-root", {"sandbox": "bwrap", "sandboxRoBinds": ["/"]}),
                        ("sandbox-rw-binds-home", {"sandbox": "bwrap", "sandboxRwBinds": ["/home"]}),
                        ("sandbox-rw-binds-string", {"sandbox": "bwrap", "sandboxRwBinds": "/home"}),
                        ("exec-allow-everything", {"allowPatterns": [".*"]}),
                        ("exec-allow-git", {"allowPatterns": ["git .*"]}),
                        ("exec-deny-extra", {"denyPatterns": ["curl"]}),
                        ("exec-env-keys", {"allowedEnvKeys": ["OPENAI_API_KEY", "GITHUB_TOKEN"]}),
                        ("exec-disabled", {"enable": False}),
                        ("exec-path-prepend", {"pathPrepend": "/tmp/bin"}),
                        ("exec-allow-patterns-string", {"allowPatterns": ".*"})]:
        case(f"newest--{slug}", f"hardened file with tools.exec {json.dumps(patch)}", T({"exec": patch}))
    for slug, patch in [("ssrf-metadata", {"ssrfWhitelist": ["169.254.0.0/16"]}),
                        ("ssrf-everything", {"ssrfWhitelist": ["0.0.0.0/0"]}),
                        ("ssrf-invalid", {"ssrfWhitelist": ["not-a-cidr"]}),
                        ("my-allow-set", {"my": {"allowSet": True}}),
                        ("my-legacy-flat", {"mySet": True, "myEnabled": True}),
                        ("webui-remote-install", {"webuiAllowRemotePackageInstall": True}),
                        ("webui-legacy-local-preview", {"allowLocalPreviewAccess": False}),
                        ("web-jina-off", {"web": {"fetch": {"useJinaReader": False}}}),
                        ("web-disabled", {"web": {"enable": False}}),
                        ("file-tools-disabled", {"file": {"enable": False}}),
                        ("rate-limit-zero", {"maxSessionMessagesPerMinute": 0}),
                        ("rate-limit-one", {"maxSessionMessagesPerMinute": 1})]:
        case(f"newest--{slug}", f"hardened file with tools {json.dumps(patch)}", T(patch))
    W = lambda ws: merge(HARD, {"channels": {"websocket": {"enabled": True, **ws}}})  # noqa: E731
    for slug, ws in [("ws-public-no-token", {"host": "0.0.0.0"}),
                     ("ws-public-token", {"host": "0.0.0.0", "token": "FAKE-ws-token"}),
                     ("ws-public-issue-secret", {"host": "0.0.0.0", "tokenIssueSecret": "FAKE-issue-secret"}),
                     ("ws-public-trusted-proxy", {"host": "0.0.0.0", "trustedProxyAuth": {"header": "X-Auth-User",
                                                                                         "trustedCidrs": ["10.0.0.0/8"]}}),
                     ("ws-ipv6-any-no-token", {"host": "::"}),
                     ("ws-empty-host-no-token", {"host": ""}),
                     ("ws-lan-ip-no-token", {"host": "192.168.1.5"}),
                     ("ws-no-token-required", {"host": "127.0.0.1", "websocketRequiresToken": False}),
                     ("ws-loopback-default", {}),
                     ("ws-unix-socket", {"unixSocketPath": "/run/nanobot/ws.sock"}),
                     ("ws-allowfrom-empty", {"allowFrom": []})]:
        case(f"newest--{slug}", f"hardened file with channels.websocket {json.dumps(ws)}", W(ws))
    case("newest--ws-disabled", "hardened file with channels.websocket.enabled: false",
         merge(HARD, {"channels": {"websocket": {"enabled": False}}}))
    case("newest--ws-section-without-enabled", "a websocket section without enabled (default-on from 0.3.0)",
         merge(HARD, {"channels": {"websocket": {"host": "127.0.0.1", "token": "FAKE"}}}))
    M = lambda m: merge(HARD, {"channels": {"msteams": {**channel("msteams"), "allowFrom": ["aad-object-id-1"], **m}}})  # noqa: E731
    case("newest--msteams-public", "msteams on 0.0.0.0", M({"host": "0.0.0.0"}))
    case("newest--msteams-host-default", "msteams without host (its default)",
         merge(HARD, {"channels": {"msteams": {"enabled": True, "appId": "x", "appPassword": "FAKE", "allowFrom": ["a"]}}}))
    case("newest--msteams-no-inbound-auth", "msteams with validateInboundAuth false", M({"validateInboundAuth": False}))
    Tg = lambda t: merge(HARD, {"channels": {"telegram": t}})  # noqa: E731
    case("newest--telegram-webhook-no-secret", "telegram webhook mode without a secret token",
         Tg({"mode": "webhook", "webhookUrl": "https://bot.example.com/tg"}))
    case("newest--telegram-webhook-secret", "telegram webhook mode with a secret token",
         Tg({"mode": "webhook", "webhookUrl": "https://bot.example.com/tg", "webhookSecretToken": "FAKE-secret"}))
    case("newest--telegram-webhook-http", "telegram webhook mode with an http URL",
         Tg({"mode": "webhook", "webhookUrl": "http://bot.example.com/tg", "webhookSecretToken": "FAKE-secret"}))
    case("newest--telegram-webhook-public-listen", "telegram webhook listening on 0.0.0.0",
         Tg({"mode": "webhook", "webhookUrl": "https://bot.example.com/tg", "webhookSecretToken": "FAKE",
             "webhookListenHost": "0.0.0.0"}))
    case("newest--transcription-section", "a transcription section (unknown top-level key before 0.2.2)",
         merge(HARD, {"transcription": {"enabled": True, "provider": "groq"}}))
    case("newest--model-presets", "a modelPresets section (unknown before 0.2.0)",
         merge(HARD, {"modelPresets": {"fast": {"model": "openai/gpt-4.1-mini"}}}))
    case("newest--model-preset-missing", "agents.defaults.modelPreset naming no preset",
         merge(HARD, {"agents": {"defaults": {"modelPreset": "nope"}}}))
    case("newest--whatsapp-bridge-token", "whatsapp with the old bridge settings (ignored from 0.3.0)",
         merge(HARD, {"channels": {"whatsapp": channel("whatsapp", bridgeToken="", allowFrom=["15551234567"])}}))


# ---------------------------------------------------------------------------- keys--

def keys():
    raw = json.dumps(HARD, indent=2)
    case("keys--duplicate-host-public-last", "gateway.host given twice, 0.0.0.0 last",
         raw.replace('"host": "127.0.0.1",', '"host": "127.0.0.1",\n    "host": "0.0.0.0",') + "\n")
    case("keys--duplicate-host-loopback-last", "gateway.host given twice, 127.0.0.1 last",
         raw.replace('"host": "127.0.0.1",', '"host": "0.0.0.0",\n    "host": "127.0.0.1",') + "\n")
    case("keys--duplicate-tools-section", "tools given twice, the second without restrictToWorkspace",
         raw.replace('"gateway": {', '"tools": {"exec": {"timeout": 30}},\n  "gateway": {') + "\n")
    case("keys--duplicate-allowfrom", "telegram allowFrom twice, [\"*\"] last",
         raw.replace('"allowFrom": [\n        "123456789"\n      ]',
                     '"allowFrom": ["123456789"],\n      "allowFrom": ["*"]') + "\n")
    case("keys--restrict-camel-false-snake-true", "restrictToWorkspace false, restrict_to_workspace true",
         '{"tools": {"restrictToWorkspace": false, "restrict_to_workspace": true}}\n')
    case("keys--restrict-snake-true-camel-false", "restrict_to_workspace true, restrictToWorkspace false",
         '{"tools": {"restrict_to_workspace": true, "restrictToWorkspace": false}}\n')
    case("keys--restrict-snake-only", "restrict_to_workspace: true only", {"tools": {"restrict_to_workspace": True}})
    case("keys--restrict-typo", "restrictToWorkSpace: true (typo)", {"tools": {"restrictToWorkSpace": True}})
    case("keys--restrict-lowercase", "restricttoworkspace: true", {"tools": {"restricttoworkspace": True}})
    case("keys--old-place-camel", "tools.exec.restrictToWorkspace: true alone", {"tools": {"exec": {"restrictToWorkspace": True}}})
    case("keys--old-place-snake", "tools.exec.restrict_to_workspace: true alone", {"tools": {"exec": {"restrict_to_workspace": True}}})
    case("keys--old-place-with-new-false", "old place true, new place false",
         {"tools": {"restrictToWorkspace": False, "exec": {"restrictToWorkspace": True}}})
    case("keys--old-place-false-new-true", "old place false, new place true",
         {"tools": {"restrictToWorkspace": True, "exec": {"restrictToWorkspace": False}}})
    case("keys--old-place-snake-new-snake", "old place camel, new place snake",
         {"tools": {"restrict_to_workspace": False, "exec": {"restrictToWorkspace": True}}})
    for slug, v in [("yes", "yes"), ("string-true", "true"), ("one", 1), ("string-one", "1"), ("on", "on"),
                    ("two", 2), ("enabled", "enabled"), ("null", None), ("float-one", 1.0), ("upper-true", "TRUE")]:
        case(f"keys--bool-{slug}", f"restrictToWorkspace: {json.dumps(v)}", merge(HARD, {"tools": {"restrictToWorkspace": v}}))
    case("keys--top-level-schema", "a top-level $schema key", merge({"$schema": "./nanobot.schema.json"}, HARD))
    case("keys--top-level-version", "a top-level version key", merge(HARD, {"version": 2}))
    case("keys--top-level-comment-key", "a top-level \"//\" comment key", merge({"//": "hardened by hand"}, HARD))
    case("keys--top-level-snake-model-presets", "model_presets (snake) at the top level",
         merge(HARD, {"model_presets": {"fast": {"model": "openai/gpt-4.1-mini"}}}))
    case("keys--top-level-camel-agents", "Agents (capitalised) at the top level",
         merge(without(HARD, "agents"), {"Agents": {"defaults": {"workspace": "/"}}}))
    case("keys--unknown-nested", "unknown keys at several depths (memoryWindow, sandBox)",
         merge(HARD, {"agents": {"defaults": {"memoryWindow": 50}}, "tools": {"exec": {"sandBox": "bwrap"}}}))


# ---------------------------------------------------------------------------- json--

def json_files():
    raw = json.dumps(HARD, indent=2)
    for slug, desc, content in [
        ("line-comment", "a // comment", raw.replace("{\n", "{\n  // hardened\n", 1) + "\n"),
        ("block-comment", "a /* */ comment", "/* nanobot */\n" + raw + "\n"),
        ("trailing-comma", "a trailing comma", raw[:-2] + ",\n}\n"),
        ("bom", "a UTF-8 byte order mark", "\ufeff" + raw + "\n"),
        ("invalid-utf8", "a byte that is not UTF-8", (raw.replace("~/.nanobot/workspace", "~/.nanobot/w\udcffrkspace") + "\n")
         .encode("utf-8", "surrogateescape")),
        ("latin1-text", "a Latin-1 encoded é in a string", raw.replace("~/.nanobot/workspace", "~/caf\u00e9").encode("latin-1")),
        ("empty-file", "an empty file", ""),
        ("whitespace-only", "only whitespace", "  \n\n"),
        ("single-quotes", "single-quoted strings", raw.replace('"', "'") + "\n"),
        ("two-objects", "two JSON objects one after the other", raw + "\n" + raw + "\n"),
        ("truncated", "a truncated file", raw[: len(raw) // 2]),
        ("crlf-tabs", "CRLF line ends and tab indentation (valid)", json.dumps(HARD, indent="\t").replace("\n", "\r\n") + "\r\n"),
        ("utf8-non-ascii", "non-ASCII text in strings (valid)", merge(HARD, {"agents": {"defaults": {"workspace": "~/café/工作区"}}})),
    ]:
        case(f"json--{slug}", desc, content)


# ---------------------------------------------------------------------------- interp--

def interpolation():
    tg = lambda tok: merge(HARD, {"channels": {"telegram": {"token": tok}}})  # noqa: E731
    case("interp--token-set", "telegram token ${TELEGRAM_BOT_TOKEN}, variable set", tg("${TELEGRAM_BOT_TOKEN}"),
         {"TELEGRAM_BOT_TOKEN": "123456:FAKE"})
    case("interp--token-unset", "telegram token ${TELEGRAM_BOT_TOKEN}, variable unset", tg("${TELEGRAM_BOT_TOKEN}"))
    case("interp--token-empty", "telegram token ${TELEGRAM_BOT_TOKEN}, variable empty", tg("${TELEGRAM_BOT_TOKEN}"),
         {"TELEGRAM_BOT_TOKEN": ""})
    case("interp--disabled-channel-unset", "an unset ${VAR} in a disabled channel",
         merge(HARD, {"channels": {"discord": {"enabled": False, "token": "${DISCORD_TOKEN}"}}}))
    case("interp--provider-key-unset", "a provider apiKey ${ANTHROPIC_API_KEY}, unset",
         merge(HARD, {"providers": {"anthropic": {"apiKey": "${ANTHROPIC_API_KEY}"}}}))
    case("interp--port", "gateway.port \"${GATEWAY_PORT}\"", merge(HARD, {"gateway": {"port": "${GATEWAY_PORT}"}}),
         {"GATEWAY_PORT": "18790"})
    case("interp--bool", "restrictToWorkspace \"${RESTRICT}\"", merge(HARD, {"tools": {"restrictToWorkspace": "${RESTRICT}"}}),
         {"RESTRICT": "true"})
    case("interp--allowfrom", "telegram allowFrom [\"${OWNER_ID}\"]", merge(HARD, {"channels": {"telegram": {"allowFrom": ["${OWNER_ID}"]}}}),
         {"OWNER_ID": "123456789"})
    case("interp--allowfrom-star-from-env", "telegram allowFrom [\"${OWNER_ID}\"] with OWNER_ID=*",
         merge(HARD, {"channels": {"telegram": {"allowFrom": ["${OWNER_ID}"]}}}), {"OWNER_ID": "*"})
    case("interp--gateway-host", "gateway.host \"${BIND}\" = 0.0.0.0", merge(HARD, {"gateway": {"host": "${BIND}"}}),
         {"BIND": "0.0.0.0"})
    case("interp--in-url", "a reference inside a URL", merge(HARD, {"tools": {"mcpServers": {
        "crm": {"url": "https://${MCP_HOST}/mcp"}}}}), {"MCP_HOST": "mcp.example.com"})
    case("interp--dollar-no-braces", "$TOKEN without braces (a literal)", tg("$TELEGRAM_BOT_TOKEN"), {"TELEGRAM_BOT_TOKEN": "x"})
    case("interp--default-syntax", "${TOKEN:-x} (no such syntax: a literal)", tg("${TELEGRAM_BOT_TOKEN:-x}"))
    case("interp--mcp-env", "an MCP env value ${GITHUB_TOKEN}, unset", merge(HARD, {"tools": {"mcpServers": {
        "github": {"command": "npx", "args": ["x"], "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"}}}}}))
    case("interp--workspace", "workspace ${HOME}/ws", merge(HARD, {"agents": {"defaults": {"workspace": "${NB_WS}"}}}),
         {"NB_WS": "/"})


def write(out: Path):
    cases_dir = out / "cases"
    if cases_dir.exists():
        shutil.rmtree(cases_dir)
    cases_dir.mkdir(parents=True)
    index = []
    for cid, desc, content, env in sorted(CASES):
        d = cases_dir / cid
        d.mkdir()
        p = d / "config.json"
        if isinstance(content, bytes):
            p.write_bytes(content)
        elif isinstance(content, str):
            p.write_bytes(content.encode("utf-8"))
        else:
            p.write_bytes((json.dumps(content, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        if env is not None:
            (d / "env.json").write_text(json.dumps(env, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        index.append({"id": cid, "class": cid.split("--")[0], "description": desc, "env": env is not None})
    (out / "index.json").write_text(json.dumps({
        "format": 1,
        "generator": "scripts/nanobot/corpus.py",
        "verdicts": "verdicts/<release name>.jsonl, one line per case (scripts/nanobot/nb_oracle.py), releases as in schemas/nanobot/index.json",
        "cases": index,
    }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(index)


def main():
    out = Path(sys.argv[1])
    for build in (samples, shapes, channel_bad_values, sections, env_cases, feishu, api, allow_lists, policies,
                  numbers, channel_names, gateway, newest, keys, json_files, interpolation):
        build()
    n = write(out)
    print(f"{n} cases in {out / 'cases'}", file=sys.stderr)


if __name__ == "__main__":
    main()
