#!/usr/bin/env bash
# The tools app developers feed openapi.yaml to, at the versions tested with it: linters
# (Redocly CLI, Spectral), client generators (openapi-typescript with openapi-fetch,
# openapi-python-client, openapi-generator) and the TypeScript compiler.
#
#   scripts/openapi-tools.sh install            install the pinned tools into the cache
#   scripts/openapi-tools.sh status             exit 0 when they are installed, 1 otherwise
#   scripts/openapi-tools.sh lint               Spectral (spectral:oas) and Redocly, no errors
#   scripts/openapi-tools.sh generate           every client; the TypeScript one through tsc --strict
#   scripts/openapi-tools.sh examples URL USER PASSWORD TREASURER PASSWORD
#                                               run the example clients against a live service
#   scripts/openapi-tools.sh check              install, lint and generate
#
# The cache lives outside the sources: $MSAI_OPENAPI_TOOLS, by default target/openapi-tools.
# Nothing is downloaded but the packages named below, from npm and PyPI.
set -euo pipefail

# The versions tested. README.md ("Building a client") names this file as the place to read them.
REDOCLY_CLI=2.77.0
SPECTRAL_CLI=6.16.3
OPENAPI_TYPESCRIPT=7.13.0
OPENAPI_FETCH=0.17.0
TYPESCRIPT=5.9.3
TYPES_NODE=20.19.43
OPENAPI_PYTHON_CLIENT=0.29.1
# openapi-generator from PyPI: the wheel carries the generator's jar, so no download from
# Maven Central happens (the npm wrapper fetches the jar at run time). It needs Java 11 or newer.
OPENAPI_GENERATOR=7.26.0
# What the Python clients import besides what openapi-python-client brings (httpx, attrs).
PYTHON_DATEUTIL=2.9.0.post0
URLLIB3=2.7.0

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${MSAI_OPENAPI_TOOLS:-$root/target/openapi-tools}"
spec="$root/openapi.yaml"
npm_dir="$cache/npm"
venv="$cache/venv"
out="$cache/out"

say() {
    printf '==> %s\n' "$*" >&2
}

stamp() {
    echo "redocly=$REDOCLY_CLI spectral=$SPECTRAL_CLI openapi-typescript=$OPENAPI_TYPESCRIPT" \
        "openapi-fetch=$OPENAPI_FETCH typescript=$TYPESCRIPT @types/node=$TYPES_NODE" \
        "openapi-python-client=$OPENAPI_PYTHON_CLIENT openapi-generator=$OPENAPI_GENERATOR" \
        "python-dateutil=$PYTHON_DATEUTIL urllib3=$URLLIB3"
}

install() {
    mkdir -p "$cache"
    if [[ -f "$cache/installed" && "$(cat "$cache/installed")" == "$(stamp)" ]]; then
        return
    fi
    command -v node >/dev/null || { echo "node and npm are needed" >&2; exit 1; }
    command -v java >/dev/null || { echo "java (11 or newer) is needed" >&2; exit 1; }
    say "npm install @redocly/cli@$REDOCLY_CLI @stoplight/spectral-cli@$SPECTRAL_CLI" \
        "openapi-typescript@$OPENAPI_TYPESCRIPT openapi-fetch@$OPENAPI_FETCH typescript@$TYPESCRIPT"
    mkdir -p "$npm_dir"
    [[ -f "$npm_dir/package.json" ]] || echo '{"private": true}' >"$npm_dir/package.json"
    npm install --prefix "$npm_dir" --save-exact --no-audit --no-fund --loglevel=error \
        "@redocly/cli@$REDOCLY_CLI" "@stoplight/spectral-cli@$SPECTRAL_CLI" \
        "openapi-typescript@$OPENAPI_TYPESCRIPT" "openapi-fetch@$OPENAPI_FETCH" \
        "typescript@$TYPESCRIPT" "@types/node@$TYPES_NODE" >/dev/null
    say "pip install openapi-python-client==$OPENAPI_PYTHON_CLIENT openapi-generator-cli==$OPENAPI_GENERATOR"
    [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check \
        "openapi-python-client==$OPENAPI_PYTHON_CLIENT" \
        "openapi-generator-cli==$OPENAPI_GENERATOR" \
        "python-dateutil==$PYTHON_DATEUTIL" "urllib3==$URLLIB3"
    stamp >"$cache/installed"
}

# Fails when a tool's output holds a line matching $2 (its warnings), after showing them.
refuse_lines() {
    local what="$1" pattern="$2" log="$3"
    if grep -E "$pattern" "$log" >/dev/null; then
        grep -E "$pattern" "$log" >&2
        echo "$what: see the lines above" >&2
        exit 1
    fi
}

lint() {
    install
    local bin="$npm_dir/node_modules/.bin" log="$cache/lint.log"
    say "spectral lint (spectral:oas, .spectral.yaml)"
    (cd "$root" && "$bin/spectral" lint --ruleset .spectral.yaml --fail-severity warn \
        --format text openapi.yaml)
    say "redocly lint (redocly.yaml)"
    (cd "$root" && "$bin/redocly" lint --config redocly.yaml --format stylish openapi.yaml) \
        >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
    refuse_lines "redocly lint" '(warning|error) ' "$log"
}

# A digest of everything the generated clients depend on: when it has not changed, the clients
# generated last time are used as they are.
inputs_digest() {
    (stamp; cat "$spec" "$root"/examples/typescript/{example.ts,tsconfig.json} \
        "$root"/examples/python/{example.py,openapi-python-client.yaml} "${BASH_SOURCE[0]}") |
        sha256sum | cut -d' ' -f1
}

# Generated once at a time: the tests run one service per backend, both asking for the clients.
generate() {
    install
    mkdir -p "$cache"
    (
        flock 9
        generate_unlocked
    ) 9>"$cache/lock"
}

generate_unlocked() {
    local bin="$npm_dir/node_modules/.bin" digest
    digest="$(inputs_digest)"
    if [[ -f "$out/generated" && "$(cat "$out/generated")" == "$digest" ]]; then
        return
    fi
    rm -rf "$out"
    mkdir -p "$out"

    say "openapi-typescript --default-non-nullable false, then tsc --strict"
    local ts="$out/typescript"
    mkdir -p "$ts"
    cp "$root"/examples/typescript/{example.ts,tsconfig.json,package.json} "$ts/"
    ln -s "$npm_dir/node_modules" "$ts/node_modules"
    "$bin/openapi-typescript" "$spec" --default-non-nullable false -o "$ts/schema.d.ts" \
        >"$out/openapi-typescript.log" 2>&1 || { cat "$out/openapi-typescript.log" >&2; exit 1; }
    refuse_lines "openapi-typescript" '(warn|error|⚠|✘)' "$out/openapi-typescript.log"
    (cd "$ts" && "$bin/tsc" -p .)

    say "openapi-python-client generate (examples/python/openapi-python-client.yaml)"
    (cd "$out" && "$venv/bin/openapi-python-client" generate --path "$spec" \
        --config "$root/examples/python/openapi-python-client.yaml" --meta none \
        --output-path "$out/python/msai_ledger_client") >"$out/openapi-python-client.log" 2>&1 ||
        { cat "$out/openapi-python-client.log" >&2; exit 1; }
    refuse_lines "openapi-python-client" '(Warning|WARNING|Error|ERROR|Unable|Cannot)' \
        "$out/openapi-python-client.log"
    "$venv/bin/python" -m compileall -q "$out/python" >/dev/null

    # openapi-generator logs ERROR_TO_EXAMPLE_VALUE where it cannot make up an example value
    # for its generated docs (a value that can only be null, a `oneOf` of partial schemas);
    # the generated code does not depend on those. Any other error or warning fails.
    local generator
    for generator in python kotlin; do
        say "openapi-generator generate -g $generator"
        "$venv/bin/openapi-generator-cli" generate -i "$spec" -g "$generator" \
            -o "$out/openapi-generator/$generator" --package-name msai_ledger_client \
            >"$out/openapi-generator-$generator.log" 2>&1 ||
            { cat "$out/openapi-generator-$generator.log" >&2; exit 1; }
        grep -E '(ERROR|WARN) ' "$out/openapi-generator-$generator.log" |
            grep -vE "$GENERATOR_NOTES" >"$out/openapi-generator-$generator.problems" || true
        refuse_lines "openapi-generator -g $generator" '.' \
            "$out/openapi-generator-$generator.problems"
    done
    say "importing every model of the openapi-generator python client"
    (cd "$out/openapi-generator/python" &&
        "$venv/bin/python" -c 'import msai_ledger_client.models, msai_ledger_client.api')
    echo "$digest" >"$out/generated"
}

# What openapi-generator says of every OpenAPI 3.1 document or of names it renames, and the
# example values it cannot make up (see above): notes, not problems with the document.
GENERATOR_NOTES='ERROR_TO_EXAMPLE_VALUE|OpenAPI 3\.1 support is still in beta|reserved word|Failed to get the schema name: null|.oneOf. is intended to include only the additional optional OAS extension discriminator|Codegen property is null \(e\.g\. map/dict of undefined type\)'

examples() {
    if (($# != 5)); then
        echo "usage: $0 examples BASE_URL MEMBER PASSWORD TREASURER PASSWORD" >&2
        exit 2
    fi
    generate
    say "the TypeScript example against $1"
    node "$out/typescript/dist/example.js" "$@"
    say "the Python example against $1"
    PYTHONPATH="$out/python" "$venv/bin/python" "$root/examples/python/example.py" "$@"
}

case "${1:-check}" in
    install) install ;;
    status) [[ -f "$cache/installed" && "$(cat "$cache/installed")" == "$(stamp)" ]] ;;
    lint) lint ;;
    generate) generate ;;
    examples) shift; examples "$@" ;;
    check) install; lint; generate ;;
    *) echo "usage: $0 install|status|lint|generate|examples|check" >&2; exit 2 ;;
esac
